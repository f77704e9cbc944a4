# The run side of the shared MCU model: peripherals (periph_*.c), boot and the
# verdict (boot*.c, verdict*.c). The pure parts (the peripheral models, the
# --run spec, the link address, the verdict text and result file) are unit-
# tested without the core; mcu.mk may already list them (it takes every
# tools/vboard/mcu/*.c), so only what is missing is added.
RUN_PURE_SRC := tools/vboard/mcu/periph_gpio.c tools/vboard/mcu/periph_rcc.c \
	tools/vboard/mcu/periph_usart.c tools/vboard/mcu/periph_systick.c tools/vboard/mcu/periph_pwr.c \
	tools/vboard/mcu/boot_link.c tools/vboard/mcu/verdict_spec.c \
	tools/vboard/mcu/verdict_text.c tools/vboard/mcu/verdict_result.c
UNIT_EXTRA_SRC += $(filter-out $(UNIT_EXTRA_SRC),$(RUN_PURE_SRC))
