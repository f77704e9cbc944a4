# The target model shared by the virtual boards' front ends.
VFLASH_OBJ := $(BUILD)/vboard/vflash.o
$(VFLASH_OBJ): tools/vboard/mcu/vflash.c tools/vboard/mcu/vflash.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(WARN) $(CFLAGS) -c $< -o $@
UNIT_EXTRA_SRC += tools/vboard/mcu/vflash.c
UNIT_EXTRA_INC += -Itools/vboard/mcu
