# Address arithmetic without a shell: FLASH_BASE + IMAGE_OFFSET.
#
# STM32 flash bases end in zero digits (0x08000000), so the sum of a base and an offset
# below the base's lowest set digit is a digit-wise merge. That covers every board here
# and costs a few string functions; anything else is refused with a one-line error
# instead of being computed wrong.

fk_hexd := 0 1 2 3 4 5 6 7 8 9 a b c d e f
fk_lower = $(subst X,x,$(subst A,a,$(subst B,b,$(subst C,c,$(subst D,d,$(subst E,e,$(subst F,f,$(1))))))))
# "0x8004000" -> "0 8 0 0 4 0 0 0": eight digit words, lower case, zero padded.
fk_digits = $(call fk_pad8,$(strip $(subst 0,0 ,$(subst 1,1 ,$(subst 2,2 ,$(subst 3,3 ,$(subst 4,4 ,$(subst 5,5 ,$(subst 6,6 ,$(subst 7,7 ,$(subst 8,8 ,$(subst 9,9 ,$(subst a,a ,$(subst b,b ,$(subst c,c ,$(subst d,d ,$(subst e,e ,$(subst f,f ,$(patsubst 0x%,%,$(call fk_lower,$(1)))))))))))))))))))))
fk_pad8 = $(if $(word 8,$(1)),$(1),$(call fk_pad8,0 $(1)))
# Hex only (0x...), or a plain 0: a decimal 16384 must not pass for 0x16384.
fk_hexok = $(if $(or $(filter 0,$(1)),$(filter 0x% 0X%,$(1))),$(if $(filter-out $(fk_hexd),$(call fk_digits,$(1))),,$(if $(word 9,$(call fk_digits,$(1))),,1)))

# $(call fk_hexadd,BASE,OFFSET) -> 0x%08x of the sum, or $(error).
fk_hexadd = $(if $(and $(call fk_hexok,$(1)),$(call fk_hexok,$(2))),$(call fk_merge,$(call fk_digits,$(1)),$(call fk_digits,$(2)),$(1),$(2)),$(error flashkit: '$(1)' or '$(2)' is not a 32-bit hex number (write addresses as 0x...)))
fk_merge = 0x$(subst $(fk_space),,$(foreach i,1 2 3 4 5 6 7 8,$(call fk_merge1,$(word $(i),$(1)),$(word $(i),$(2)),$(3),$(4))))
fk_merge1 = $(if $(filter 0,$(1)),$(2),$(if $(filter 0,$(2)),$(1),$(error flashkit: cannot place offset $(4) on base $(3): give IMAGE_ADDR=0x... explicitly)))

fk_empty :=
fk_space := $(fk_empty) $(fk_empty)
