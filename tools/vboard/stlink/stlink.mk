# vstlink: a virtual ST-LINK/V2-1 (and V3) for the real OpenOCD, on the shared
# virtual USB bus (tools/vboard/usb) and the shared virtual STM32 (libmcu.a).
VUSB_OBJ ?= $(BUILD)/vboard/vusb.o
VSTLINK_SRC := tools/vboard/stlink/vstlink_main.c tools/vboard/stlink/vstlink_usb.c \
	tools/vboard/stlink/vstlink_proto.c
VSTLINK_HDR := tools/vboard/stlink/vstlink.h tools/vboard/stlink/vstlink_proto.h \
	tools/vboard/usb/vusb.h tools/vboard/mcu/mcu.h tools/vboard/mcu/vflash.h
VSTLINK_PC = $(shell pkg-config --cflags --libs umockdev-1.0 gio-2.0 gobject-2.0 glib-2.0)
# The probe protocol's unit test includes the decoder and fakes the mcu.
UNIT_EXTRA_INC += -Itools/vboard/stlink
VBOARD_BINS += $(BUILD)/vboard/vstlink

$(BUILD)/vboard/vstlink: $(VSTLINK_SRC) $(VSTLINK_HDR) $(MCU_LIB) $(VUSB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard/stlink -Itools/vboard/mcu -Itools/vboard/usb -o $@ $(VSTLINK_SRC) $(VUSB_OBJ) $(MCU_LIB) $(VSTLINK_PC) $(MCU_LIBS)
