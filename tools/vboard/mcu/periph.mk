# The run side of the shared MCU model: peripherals (periph_*.c), boot and the
# verdict. The pure peripheral models are unit-tested without the core.
PERIPH_MODEL_SRC := tools/vboard/mcu/periph_gpio.c tools/vboard/mcu/periph_rcc.c \
	tools/vboard/mcu/periph_usart.c tools/vboard/mcu/periph_systick.c
UNIT_EXTRA_SRC += $(PERIPH_MODEL_SRC)
