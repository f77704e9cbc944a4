/* Subcommands, one file each (cmd_*.c). Each returns an exit code. */
#ifndef FK_COMMANDS_H
#define FK_COMMANDS_H

int cmd_convert(int argc, char **argv);
int cmd_dfu(int argc, char **argv);
int cmd_suffix(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_usb_wait(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_uart_lines(int argc, char **argv);

#endif
