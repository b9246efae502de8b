/* commands.h — every subcommand's entry point: int cmd_x(int argc, char **argv), where
 * argv[0] is the subcommand name. Exit statuses: 0 ok, 1 failure at run time, 2 bad
 * usage or configuration (one line on stderr naming the option). */
#ifndef RS_CMD_COMMANDS_H
#define RS_CMD_COMMANDS_H

int cmd_dev(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_mail_replay(int argc, char **argv);
int cmd_bench_queue(int argc, char **argv);
int cmd_roster_eval(int argc, char **argv);
int cmd_roster_bench(int argc, char **argv);
int cmd_mail_preview(int argc, char **argv);
int cmd_config(int argc, char **argv);          /* routes validate / show */
int cmd_config_validate(int argc, char **argv);
int cmd_config_show(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_ics_url(int argc, char **argv);
int cmd_ics_rotate(int argc, char **argv);
int cmd_ics_lint(int argc, char **argv);
int cmd_ics_bench(int argc, char **argv);

#endif
