/* libFuzzer target: the USB descriptor walk behind flashkit usb-wait (sysfs
 * "descriptors" blobs). It must never read past the blob, and what it reports
 * must be one of the modes it knows. */
#include <stdint.h>
#include <stdlib.h>

#include "usb_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum usb_dfu_mode mode;
	uint16_t bcd;
	usb_parse_dfu(data, size, &mode, &bcd);
	if (mode != USB_DFU_NONE && mode != USB_DFU_RUNTIME && mode != USB_DFU_MODE)
		abort();
	if (mode == USB_DFU_NONE && bcd != 0)
		abort();
	return 0;
}
