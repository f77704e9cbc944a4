# Virtual UART board (ROM bootloader, AN3155) for stm32flash, and the
# LD_PRELOAD shim that gives its pseudo-terminal parity and RTS/DTR.
VUART_SRC := tools/vboard/vuart.c tools/vboard/vuart_board.c tools/vboard/vuart_proto.c
VUART_HDR := tools/vboard/vuart_board.h tools/vboard/vuart_proto.h tools/vboard/vflash.h

$(BUILD)/vboard/vuart: $(VUART_SRC) $(VUART_HDR) $(VFLASH_OBJ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard -o $@ $(VUART_SRC) $(VFLASH_OBJ)

$(BUILD)/vboard/ttyshim.so: tools/vboard/ttyshim.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

VBOARD_BINS += $(BUILD)/vboard/vuart $(BUILD)/vboard/ttyshim.so
UNIT_EXTRA_SRC += tools/vboard/vuart_proto.c
