# vdrive: the virtual ST-LINK drive (tmpfs in a private mount namespace,
# inotify watcher, remount) and the runner that puts any command beside it.
VFLASH_OBJ ?= $(BUILD)/vboard/vflash.o
VDRIVE_SRC := tools/vboard/drive/vdrive.c tools/vboard/drive/vdrive_ns.c tools/vboard/drive/vdrive_probe.c
VDRIVE_HDR := tools/vboard/drive/vdrive_ns.h tools/vboard/drive/vdrive_probe.h tools/vboard/mcu/vflash.h

# --run: the mcu model (tools/vboard/mcu, libmcu.a) runs what was programmed.
$(BUILD)/vboard/vdrive: $(VDRIVE_SRC) $(VDRIVE_HDR) $(VFLASH_OBJ) $(BUILD)/vboard/libmcu.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(WARN) $(CFLAGS) -Itools/vboard/drive -Itools/vboard/mcu -o $@ $(VDRIVE_SRC) $(VFLASH_OBJ) $(BUILD)/vboard/libmcu.a $(MCU_LIBS)

VBOARD_BINS += $(BUILD)/vboard/vdrive
UNIT_EXTRA_SRC += tools/vboard/drive/vdrive_probe.c
