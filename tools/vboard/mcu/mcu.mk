# The target model shared by the virtual boards' front ends: the flash file
# (vflash) and the virtual STM32 (core, debug, memory map, flash controllers,
# chips; peripherals, boot and verdict from their own files) in libmcu.a.
# Front ends link $(MCU_LIB) $(MCU_LIBS).
VFLASH_OBJ := $(BUILD)/vboard/vflash.o
$(VFLASH_OBJ): tools/vboard/mcu/vflash.c tools/vboard/mcu/vflash.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(WARN) $(CFLAGS) -c $< -o $@
UNIT_EXTRA_SRC += tools/vboard/mcu/vflash.c
UNIT_EXTRA_INC += -Itools/vboard/mcu

MCU_SRC  := $(filter-out tools/vboard/mcu/vflash.c,$(sort $(wildcard tools/vboard/mcu/*.c)))
MCU_HDRS := $(wildcard tools/vboard/mcu/*.h)
MCU_OBJ  := $(MCU_SRC:tools/vboard/mcu/%.c=$(BUILD)/vboard/mcu/%.o)
MCU_LIB  := $(BUILD)/vboard/libmcu.a
MCU_LIBS := -lunicorn -lpthread -lm
VBOARD_BINS += $(MCU_LIB)

$(BUILD)/vboard/mcu/%.o: tools/vboard/mcu/%.c $(MCU_HDRS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard/mcu -c $< -o $@

$(MCU_LIB): $(MCU_OBJ) $(VFLASH_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

UNIT_EXTRA_SRC  += $(MCU_SRC)
UNIT_EXTRA_LIBS += $(MCU_LIBS)
