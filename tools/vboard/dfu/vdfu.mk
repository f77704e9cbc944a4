# vdfu: the virtual STM32 ROM DFU bootloader for dfu-util (umockdev).
# pkg-config runs only when the recipe does (recursive variable).
VFLASH_OBJ ?= $(BUILD)/vboard/vflash.o
VUSB_OBJ ?= $(BUILD)/vboard/vusb.o
VDFU_SRC := tools/vboard/dfu/vdfu_main.c tools/vboard/dfu/vdfu_bus.c tools/vboard/dfu/vdfu_usb.c \
	tools/vboard/dfu/vdfu_dfuse.c
VDFU_PC = $(shell pkg-config --cflags --libs umockdev-1.0 gio-2.0 gobject-2.0 glib-2.0)
VBOARD_BINS += $(BUILD)/vboard/vdfu

# --run: the mcu model (tools/vboard/mcu, libmcu.a) runs what :leave starts.
$(BUILD)/vboard/vdfu: $(VDFU_SRC) tools/vboard/dfu/vdfu.h tools/vboard/mcu/vflash.h tools/vboard/usb/vusb.h $(VFLASH_OBJ) $(VUSB_OBJ) $(BUILD)/vboard/libmcu.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard/dfu -Itools/vboard/mcu -Itools/vboard/usb -o $@ $(VDFU_SRC) $(VFLASH_OBJ) $(VUSB_OBJ) $(BUILD)/vboard/libmcu.a $(VDFU_PC) $(MCU_LIBS)
