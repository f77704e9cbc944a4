# vusb: the virtual USB bus (umockdev testbed, usbdevfs ioctls) shared by the
# front ends that are USB devices (dfu, stlink).
VUSB_OBJ ?= $(BUILD)/vboard/vusb.o
VUSB_PC = $(shell pkg-config --cflags --libs umockdev-1.0 gio-2.0 gobject-2.0 glib-2.0)
VUSB_CFLAGS = $(shell pkg-config --cflags umockdev-1.0 gio-2.0 gobject-2.0 glib-2.0)
$(VUSB_OBJ): tools/vboard/usb/vusb.c tools/vboard/usb/vusb.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(WARN) $(CFLAGS) $(VUSB_CFLAGS) -c $< -o $@
