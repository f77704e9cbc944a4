# make VIRTUAL=1 flash: the same flash onto a virtual board, then the image runs.
#
# The board file says what the virtual board is: memory map and sector layout, the
# ST-LINK drive's label, the part id the UART bootloader reports, the LED pin and the
# console USART. The make goal runs again, unchanged, inside the front end of the
# programmer (tools/vboard: vdfu for dfu, vdrive for cpy2remed, vuart for stm32flash,
# vstlink for openocd), with the real tool; when the tool starts the chip (:leave, the
# probe's reset, GO, reset run) the image runs for VIRTUAL_RUN_MS of virtual time and
# the verdict is printed:
#
#   RUN     nucleo-f401 (virtual, 300 ms): running: LED PA5 toggled 6 times in 300 ms, ...
#   CONSOLE blinky on nucleo-f401
#
# The exit status is make's as usual; 65 when the image does not run (a HardFault,
# erased flash where the chip starts). A smoke test any firmware CI can run per board.
#
#   VIRTUAL=1            run the goal (flash, flash-only, flash_dfu, flash_dfu_manual,
#                        reset, erase, flash-bootloader) on the virtual board
#   VIRTUAL_RUN_MS=300   how long the image runs (virtual time: the board's reset clock)
#   VIRTUAL_DIR=build/virtual  the virtual flash (BOARD.flash, kept between runs, so
#                        make VIRTUAL=1 reset runs what the last flash wrote) and the port
#   VIRTUAL_LOG=file     the model's event log (pin changes, unmodelled accesses, boot)
#   VBOARD_DIR=dir       where the vboard programs are (a source tree builds them)

VIRTUAL ?= 0
# VIRTUAL=yes or =true would otherwise mean "not virtual" and wait for a real board.
ifneq ($(filter-out 0 1,$(VIRTUAL)),)
$(error flashkit: VIRTUAL=$(VIRTUAL): use VIRTUAL=1 for a virtual board (or leave it out for a real one))
endif
ifeq ($(VIRTUAL),1)
ifndef FK_VIRTUAL_INNER

VIRTUAL_RUN_MS ?= 300
VIRTUAL_DIR    ?= build/virtual
VIRTUAL_FLASH  ?= $(VIRTUAL_DIR)/$(FK_BOARD).flash
VIRTUAL_LOG    ?=
VBOARD_DIR     ?= $(if $(FK_INSTALLED),$(FK_PREFIX)/libexec/flashkit,$(FK_ROOT)/build/vboard)

fk_v_goals := flash flash-only flash_dfu flash_dfu_manual reset erase flash-bootloader
ifneq ($(filter-out $(fk_v_goals),$(filter $(FK_GOALS),$(MAKECMDGOALS))),)
$(error flashkit: VIRTUAL=1 runs $(fk_v_goals) on a virtual board, not $(filter-out $(fk_v_goals),$(filter $(FK_GOALS),$(MAKECMDGOALS))))
endif

# The board's data for the run (tools/vboard/mcu/verdict.h). A board file without an LED
# or console says so with led=- and usart=0.
fk_v_led = $(if $(BLINKY_LED_PORT),$(BLINKY_LED_PORT)$(BLINKY_LED_PIN),-)
VBOARD_RUN = board=$(FK_BOARD),family=$(BOARD_FAMILY),dev=$(or $(STM32_PART_ID),0),flash=$(FLASH_BASE):$(FLASH_SIZE),ram=$(RAM_BASE):$(RAM_SIZE),app=$(IMAGE_ADDR),bootloader=$(or $(BOOTLOADER_SIZE),0),hz=$(or $(CPU_HZ_RESET),16000000),led=$(fk_v_led),usart=$(or $(CONSOLE_USART),0)$(if $(CONSOLE_TX),$(fk_comma)tx=$(CONSOLE_TX):$(or $(CONSOLE_TX_AF),0)),ms=$(VIRTUAL_RUN_MS)$(if $(VIRTUAL_LOG),$(fk_comma)log=$(abspath $(VIRTUAL_LOG)))
fk_comma ?= ,

# The front end of each programmer, around the inner make. The DFU bootloader names its
# sectors the DfuSe way: 4*16K,1*64K -> 4*16Kg,1*64Kg (g: readable, erasable, writable).
fk_v_dfuse_layout = $(subst $(fk_space),$(fk_comma),$(patsubst %,%g,$(subst $(fk_comma), ,$(FLASH_SECTORS))))
fk_v_tty = $(VIRTUAL_DIR)/$(FK_BOARD).tty
fk_v_front_dfu = $(call fk_sq,$(VBOARD_DIR)/vdfu) run --family $(if $(filter stm32f7,$(BOARD_FAMILY)),f7-single,f4) --layout $(call fk_sq,/$(FLASH_BASE)/$(fk_v_dfuse_layout)) --flash-file $(call fk_sq,$(VIRTUAL_FLASH))$(if $(filter flash_dfu,$(FK_TARGET)), --start app)
fk_v_front_cpy2remed = $(call fk_sq,$(VBOARD_DIR)/vdrive) run --board-flash $(FLASH_BASE):$(FLASH_SIZE) --layout $(call fk_sq,$(FLASH_SECTORS)) --label $(firstword $(STLINK_LABELS)) --flash-file $(call fk_sq,$(VIRTUAL_FLASH))
fk_v_front_stm32flash = $(call fk_sq,$(VBOARD_DIR)/vuart) --flash $(call fk_sq,$(VIRTUAL_FLASH)) --layout $(call fk_sq,$(FLASH_SECTORS)) --base $(FLASH_BASE) --pid $(or $(STM32_PART_ID),0x433) --ram-size $(RAM_SIZE) --wiring $(if $(filter 1,$(STM32FLASH_RESET)),inverted,none) --boot0 high --link $(call fk_sq,$(fk_v_tty)) --log /dev/null
fk_v_front_openocd = $(call fk_sq,$(VBOARD_DIR)/vstlink) --chip $(BOARD_MCU) --flash-file $(call fk_sq,$(VIRTUAL_FLASH))
fk_v_prog_dfu := vdfu
fk_v_prog_cpy2remed := vdrive
fk_v_prog_stm32flash := vuart
fk_v_prog_openocd := vstlink
fk_v_inner_stm32flash = PORT=$(call fk_sq,$(fk_v_tty))

# The goal again, inside: the same Makefile (so its own variables hold), the same
# command-line variables (MAKEFLAGS), the real tool.
fk_v_makefile := $(firstword $(MAKEFILE_LIST))
fk_v_inner = $(MAKE) --no-print-directory -f $(call fk_sq,$(fk_v_makefile)) FK_VIRTUAL_INNER=1 $(fk_v_inner_$(FK_PROG)) $(FK_TARGET)
# (erase judges nothing: an erased chip that does not run is what was asked for.)
fk_v_cmd = mkdir -p $(call fk_sq,$(VIRTUAL_DIR)) && $(fk_v_front_$(FK_PROG))$(if $(filter erase,$(FK_TARGET)),, --run $(call fk_sq,$(VBOARD_RUN))) -- $(fk_v_inner)

# The vboard program: built in a source tree when missing; installed by make install.
fk_v_need = $(fk_at)[ -x $(call fk_sq,$(VBOARD_DIR)/$(fk_v_prog_$(FK_PROG))) ] || \
	$(if $(FK_INSTALLED),{ $(call fk_msg,flashkit: $(VBOARD_DIR)/$(fk_v_prog_$(FK_PROG)) is missing: reinstall flashkit (make install) or set VBOARD_DIR); exit 69; },$(MAKE) --no-print-directory -s -C $(call fk_sq,$(FK_ROOT)) $(call fk_sq,$(VBOARD_DIR)/$(fk_v_prog_$(FK_PROG))) BUILD=$(call fk_sq,$(patsubst %/vboard,%,$(VBOARD_DIR))) >/dev/null)

# Outside: no wait for a device, no tool-failure hints (the inner make prints them), the
# image check happens inside before anything is written; one line runs it all.
fk_v_line = $(fk_v_need)
fk_v_line2 = $(call fk_run,VBOARD,$(FK_BOARD): virtual $(BOARD_MCU) behind $(PROG_TOOL) ($(VIRTUAL_FLASH)),$(fk_v_cmd))
override PROG_PRECHECK :=
override fk_fail_hint :=
override DFU_ENTER_CMD :=
define fk_flash_check
endef
define fk_flash_steps
$(fk_v_line)
$(fk_v_line2)
endef
# erase and reset run their commands through fk_run: the command is the inner make.
ERASE_CMD = $(fk_v_cmd)
RESET_CMD = $(fk_v_cmd)
RECOVER_CMD = $(fk_v_cmd)
PROG_NEED = $(fk_v_need)
# The inner make prints erase's, reset's and flash-bootloader's own lines (WAIT, ERASE,
# CHECK, ...): the outer one would say the same line twice.
erase reset flash-bootloader: fk_quiet :=

endif
endif
