# The target model shared by the virtual boards' front ends.
VFLASH_OBJ := $(BUILD)/vboard/vflash.o
$(VFLASH_OBJ): tools/vboard/vflash.c tools/vboard/vflash.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(WARN) $(CFLAGS) -c $< -o $@
UNIT_EXTRA_SRC += tools/vboard/vflash.c
