# Virtual UART board (ROM bootloader, AN3155) for stm32flash, and the
# LD_PRELOAD shim that gives its pseudo-terminal parity and RTS/DTR.
VUART_SRC := tools/vboard/uart/vuart.c tools/vboard/uart/vuart_board.c tools/vboard/uart/vuart_proto.c
VUART_HDR := tools/vboard/uart/vuart_board.h tools/vboard/uart/vuart_proto.h tools/vboard/mcu/vflash.h

# --run: the mcu model (tools/vboard/mcu, libmcu.a) runs what GO or a reset starts.
$(BUILD)/vboard/vuart: $(VUART_SRC) $(VUART_HDR) $(VFLASH_OBJ) $(BUILD)/vboard/libmcu.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard/uart -Itools/vboard/mcu -o $@ $(VUART_SRC) $(VFLASH_OBJ) $(BUILD)/vboard/libmcu.a $(MCU_LIBS)

$(BUILD)/vboard/ttyshim.so: tools/vboard/uart/ttyshim.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

VBOARD_BINS += $(BUILD)/vboard/vuart $(BUILD)/vboard/ttyshim.so
UNIT_EXTRA_SRC += tools/vboard/uart/vuart_proto.c
