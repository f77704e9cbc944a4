# STM32F767xI: 2 MiB flash, single-bank layout 4x32K, 1x128K, 7x256K (dual-bank: 2x(4x16K, 1x64K, 7x128K)); 512 KiB RAM from 0x20000000 (DTCM 128K + SRAM1 368K + SRAM2 16K).
FLASH_SIZE    ?= 2M
RAM_SIZE      ?= 512K
FLASH_SECTORS ?= 4*32K,1*128K,7*256K
STM32_PART_ID ?= 0x451
include $(FK_ROOT)/boards/common/stm32f7.mk
