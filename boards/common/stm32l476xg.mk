# STM32L476xG: 1 MiB flash, 2 banks of 256 pages of 2K; 96 KiB SRAM1 (SRAM2 at 0x10000000 left out).
FLASH_SIZE    ?= 1M
RAM_SIZE      ?= 96K
FLASH_SECTORS ?= 512*2K
STM32_PART_ID ?= 0x415
include $(FK_ROOT)/boards/common/stm32l4.mk
