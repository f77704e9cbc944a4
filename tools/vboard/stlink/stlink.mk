# vstlink: a virtual ST-LINK/V2-1 (and V3) for the real OpenOCD, on the shared
# virtual USB bus and the shared virtual STM32 (tools/vboard/mcu).
VFLASH_OBJ ?= $(BUILD)/vboard/vflash.o
VUSB_OBJ ?= $(BUILD)/vboard/vusb.o
VSTLINK_SRC := tools/vboard/stlink/vstlink_main.c tools/vboard/stlink/vstlink_usb.c \
	tools/vboard/stlink/vstlink_proto.c
VSTLINK_HDR := tools/vboard/stlink/vstlink.h tools/vboard/stlink/vstlink_proto.h \
	tools/vboard/usb/vusb.h tools/vboard/mcu/mcu.h tools/vboard/mcu/vflash.h
# The mcu model: every source of tools/vboard/mcu but the flash file (an object of its own).
VSTLINK_MCU_SRC = $(filter-out tools/vboard/mcu/vflash.c,$(wildcard tools/vboard/mcu/*.c))
VSTLINK_PC = $(shell pkg-config --cflags --libs umockdev-1.0 gio-2.0 gobject-2.0 glib-2.0 unicorn)
# The probe protocol's unit test links the decoder with a fake mcu.
UNIT_EXTRA_INC += -Itools/vboard/stlink

# Built once the mcu model implements mcu.h (mcu_new).
ifneq ($(shell grep -l '^struct mcu \*mcu_new' tools/vboard/mcu/*.c 2>/dev/null),)
VBOARD_BINS += $(BUILD)/vboard/vstlink
endif

$(BUILD)/vboard/vstlink: $(VSTLINK_SRC) $(VSTLINK_HDR) $(VSTLINK_MCU_SRC) $(wildcard tools/vboard/mcu/*.h) $(VFLASH_OBJ) $(VUSB_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard/stlink -Itools/vboard/mcu -Itools/vboard/usb -o $@ $(VSTLINK_SRC) $(VSTLINK_MCU_SRC) $(VFLASH_OBJ) $(VUSB_OBJ) $(VSTLINK_PC) -lm
