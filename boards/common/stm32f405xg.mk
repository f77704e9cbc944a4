# STM32F405xG/F407xG: 1 MiB flash in 4x16K, 1x64K, 7x128K sectors; 112+16 KiB SRAM contiguous at 0x20000000 (the 64 KiB CCM at 0x10000000 is left out).
FLASH_SIZE    ?= 1M
RAM_SIZE      ?= 128K
FLASH_SECTORS ?= 4*16K,1*64K,7*128K
STM32_PART_ID ?= 0x413
include $(FK_ROOT)/boards/common/stm32f4.mk
