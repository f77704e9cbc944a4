# STM32F401xE: 512 KiB flash in 4x16K, 1x64K, 3x128K sectors; 96 KiB SRAM.
FLASH_SIZE    ?= 512K
RAM_SIZE      ?= 96K
FLASH_SECTORS ?= 4*16K,1*64K,3*128K
STM32_PART_ID ?= 0x433
include $(FK_ROOT)/boards/common/stm32f4.mk
