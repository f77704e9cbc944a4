# vrun: run an image on the virtual STM32 and print the verdict (no flash tool).
VRUN := $(BUILD)/vboard/vrun
VBOARD_BINS += $(VRUN)

$(VRUN): tools/vboard/run/vrun.c $(MCU_LIB) $(wildcard tools/vboard/mcu/*.h)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard/mcu -o $@ $< $(MCU_LIB) $(MCU_LIBS)
