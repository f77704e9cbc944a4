# STM32H743xI: 2 MiB flash, 2 banks of 8x128K sectors; 128 KiB DTCM at 0x20000000 (AXI SRAM at 0x24000000 left out).
FLASH_SIZE    ?= 2M
RAM_SIZE      ?= 128K
FLASH_SECTORS ?= 16*128K
STM32_PART_ID ?= 0x450
include $(FK_ROOT)/boards/common/stm32h7.mk
