# STM32G071xB: 128 KiB flash in 64 pages of 2K; 36 KiB SRAM.
FLASH_SIZE    ?= 128K
RAM_SIZE      ?= 36K
FLASH_SECTORS ?= 64*2K
STM32_PART_ID ?= 0x460
include $(FK_ROOT)/boards/common/stm32g0.mk
