# The names flashkit knows besides the files themselves: what each programmer can do
# (so an error can name one that can) and the aliases people already type.
# Adding a programmer: programmers/NAME.mk plus one FK_CAN_NAME line here.

FK_CAN_dfu        := flash erase reset
FK_CAN_openocd    := flash erase reset debug debug-server
FK_CAN_cpy2remed  := flash
FK_CAN_stm32flash := flash erase reset

# One line each for list-programmers: tool (Debian package), files it takes, what it is.
FK_DESC_dfu        := dfu-util (dfu-util); .bin .dfu; STM32 ROM DFU bootloader over USB
FK_DESC_openocd    := openocd (openocd); .bin .hex .elf; debug probe (ST-LINK) over SWD
FK_DESC_cpy2remed  := flashkit copy (helper); .bin .hex; the ST-LINK/DAPLink USB drive
FK_DESC_stm32flash := stm32flash (stm32flash); .bin .hex; STM32 ROM UART bootloader

# Alias -> real name (RIOT's and vendors' spellings).
FK_ALIAS_dfu-util       := dfu
FK_ALIAS_stlink-drive   := cpy2remed
FK_ALIAS_nucleo-f401re  := nucleo-f401
FK_ALIAS_nucleo-f446    := nucleo-f446re
FK_ALIAS_nucleo-f767    := nucleo-f767zi
FK_ALIAS_nucleo-h743    := nucleo-h743zi
FK_ALIAS_nucleo-h743zi2 := nucleo-h743zi
FK_ALIAS_nucleo-l476    := nucleo-l476rg
FK_ALIAS_nucleo-g071    := nucleo-g071rb
FK_ALIAS_nucleo-c031    := nucleo-c031c6
FK_ALIAS_stm32f407g-disc1 := stm32f4discovery
FK_ALIAS_cf2            := crazyflie2
FK_ALIAS_crazyflie      := crazyflie2
FK_ALIAS_odrive         := odrive-v3
FK_ALIAS_odrive-v3.6    := odrive-v3
FK_ALIAS_mks-xdrive-mini := mks-xdrive
FK_ALIAS_odesc          := odesc-4.2
FK_ALIAS_odesc-v4.2     := odesc-4.2
FK_ALIAS_proteus        := proteus-f7
FK_ALIAS_fome-proteus-f7 := proteus-f7

# $(call fk_who_can,TARGET,CANDIDATES): the candidates that can do TARGET.
fk_who_can = $(strip $(foreach p,$(2),$(if $(filter $(1),$(FK_CAN_$(p))),$(p))))
