# STM32C031x6: 32 KiB flash in 16 pages of 2K; 12 KiB SRAM.
FLASH_SIZE    ?= 32K
RAM_SIZE      ?= 12K
FLASH_SECTORS ?= 16*2K
STM32_PART_ID ?= 0x453
include $(FK_ROOT)/boards/common/stm32c0.mk
