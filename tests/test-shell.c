/* test-shell.c: the shell analyser on its own: the parts a shell line or an argv
 * request becomes, with their words (and what is known of them), working directories,
 * hosts and whys; every construct and wrapper; the limits; malformed input; the text a
 * part is shown as; and how a word that stands for many values meets a rule's glob. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/shell.h"

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define N(a)      ((int)(sizeof(a) / sizeof((a)[0])))

/* A line and what it becomes: one line a part, "TEXT @CWD", then " host=HOST", then
 * " {I:FLAGS:PATTERN}" for each word I that is not literal (u unknown, g glob, b below),
 * then " !WHY" for a part that is not understood. Run in /w with home /h, REPORTED in
 * the environment. */
struct shell_case {
	const char *line;
	const char *want;
};

static const struct shell_case words_cases[] = {
	{"echo 'a b' \"c $HOME\" $'d\\te' a\\ b", "echo 'a b' 'c /h' 'd?e' 'a b' @/w"},
	{"\\rm -rf /", "rm -rf / @/w"},
	{"\"rm\" -rf /", "rm -rf / @/w"},
	{"r\"m\" x", "rm x @/w"},
	{"/bin/rm x", "/bin/rm x @/w"},
	{"./run.sh x", "./run.sh x @/w"},
	{"echo $'\\x41\\101\\u00e9\\cA\\z' $'a\\0b'", "echo 'AAé?\\z' a @/w"},
	{"echo $\"x\"", "echo x @/w"},
	{"echo a$X\"b\"", "echo a$X\"b\" @/w {1:u:}"},
	{"echo \"\" ''", "echo '' '' @/w"},
	{"echo $EMPTY", "echo $EMPTY @/w {1:u:}"},
	{"E=; echo $E \"$E\"", "echo '' @/w"},
	{"A='a  b'; echo $A", "echo a b @/w"},
	{"A='a  b'; echo \"$A\"", "echo 'a  b' @/w"},
	{"A='*'; rm $A \"$A\"", "rm * '*' @/w {1:g:*}"},
	{"IFS=:; X=a:b; rm $X", "rm a b @/w"},
	{"rm -rf ~ ~/x ~bob ~+ x~", "rm -rf /h /h/x ~bob /w 'x~' @/w {4:u:}"},
	{"X=~/a:~/b; echo $X", "echo /h/a:/h/b @/w"},
	{"HOME=; rm ~", "rm ~ @/w {1:u:}"},
	{"echo ${HOME} ${HOME:-x} ${U:-/d} ${U-/d} ${HOME:+set} ${#HOME} ${!X} ${X[0]} ${HOME#/}",
	 "echo /h /h ${U:-/d} ${U-/d} set ${#HOME} ${!X} ${X[0]} ${HOME#/} @/w {3:u:} {4:u:} "
	 "{6:g:*} {7:u:} {8:u:} {9:u:}"},
	{"E=; echo ${E:-/d} ${E-/d} ${E:+x} ${E+x}", "echo /d ${E-/d} ${E+x} @/w {2:u:} {3:u:}"},
	{"echo ${U:=/z}; rm -rf $U", "echo ${U:=/z} @/w {1:u:}\n"
				     "rm -rf $U @/w {2:u:}"},
	{"echo $1 $# $@ \"$@\" $* $0", "echo 0 sh @/w"},
	{"echo $? $$ $! $-", "echo $? $$ $! $- @/w {1:g:*} {2:g:*} {3:g:*} {4:g:*}"},
	{"rm ./*.o /tmp/?[ab] '*' \\* \"/\"* [x",
	 "rm ./*.o /tmp/?[ab] '*' '*' /* [x @/w {1:g:./*.o} {2:g:/tmp/?[ab]} {5:g:/*} {6:g:[x}"},
	{"rm -rf {etc,usr} /{a,b/c} {1..3} {x} {}",
	 "rm -rf {etc,usr} /{a,b/c} {1..3} '{x}' '{}' @/w {2:g:*} {3:u:} {4:g:*}"},
	{"rm !(keep) @(a|b) *(x)", "rm !(keep) @(a|b) *(x) @/w {1:g:*} {2:g:*} {3:g:*}"},
	{"echo $((1+2)) $((x=3)) $(( $(rm -rf /) ))",
	 "rm -rf / @/w\n"
	 "echo $((1+2)) $((x=3)) $(( $(rm -rf /) )) @/w {1:g:*} {2:g:*} {3:g:*}"},
	{"echo $( (cd /; ls) )", "cd / @/w\n"
				 "ls @/\n"
				 "ls @/w\n"
				 "echo $( (cd /; ls) ) @/w {1:u:}"},
	{"rm **/x /a/**/b", "rm **/x /a/**/b @/w {1:gb:.} {2:gb:/a}"},
	{"echo \"$(echo \"in\")\" `echo b` `echo \\`echo c\\``",
	 "echo in @/w\n"
	 "echo b @/w\n"
	 "echo c @/w\n"
	 "echo `echo c` @/w {1:u:}\n"
	 "echo \"$(echo \"in\")\" `echo b` `echo \\`echo c\\`` @/w {1:u:} {2:u:} {3:u:}"},
	{"echo a\\\nb", "echo ab @/w"},
	{"echo <(ls /) >(cat)", "ls / @/w\n"
				"cat @/w\n"
				"echo /dev/fd/63 /dev/fd/63 @/w"},
	{"rm -rf $REPORTED $UNREPORTED", "rm -rf /srv/r $UNREPORTED @/w {3:u:}"},
	{"A=(a b); rm $A", "rm $A @/w {1:u:}"},
	{"a[0]=x; rm $a", "rm $a @/w {1:u:}"},
	{"X=a; X+=b; rm $X", "rm ab @/w"},
};

static const struct shell_case structure_cases[] = {
	{"a; b && c || d | e & f", "a @/w\n"
				   "b @/w\n"
				   "c @/w\n"
				   "d @/w\n"
				   "e @/w\n"
				   "f @/w"},
	{"a\nb", "a @/w\n"
		 "b @/w"},
	{"a # comment\n#x\nb", "a @/w\n"
			       "b @/w"},
	{"a #x; b", "a @/w"},
	{"a#b", "'a#b' @/w"},
	{"(a; b) | c", "a @/w\n"
		       "b @/w\n"
		       "c @/w"},
	{"{ a; b; } > out", "a @/w\n"
			    "b @/w\n"
			    "> out @/w"},
	{"! a && b", "a @/w\n"
		     "b @/w"},
	{"a |& b", "a @/w\n"
		   "b @/w"},
	{"a &&\nb", "a @/w\n"
		    "b @/w"},
	{"a |\nb", "a @/w\n"
		   "b @/w"},
	{"a &", "a @/w"},
	{"if a; then b; elif c; then d; else e; fi > out", "a @/w\n"
							   "b @/w\n"
							   "c @/w\n"
							   "d @/w\n"
							   "e @/w\n"
							   "> out @/w"},
	{"while a; do b; done < in", "a @/w\n"
				     "b @/w"},
	{"until a; do b; done", "a @/w\n"
				"b @/w"},
	{"for x; do echo $x; done", "echo $x @/w {1:u:}"},
	{"for x in a b; do echo $x; done", "echo $x @/w {1:u:}"},
	{"for x in /a; do rm $x; done", "rm /a @/w"},
	{"for ((i=0; i<2; i++)); do echo $i; done", "echo $i @/w {1:u:}"},
	{"select x in a; do echo $x; break; done", "echo a @/w\n"
						   "break @/w"},
	{"case $x in (a|b) echo 1;; c) echo 2;& *) echo 3;;& esac", "echo 1 @/w\n"
								    "echo 2 @/w\n"
								    "echo 3 @/w"},
	{"f() { echo a; }", "echo a @?"},
	{"f() ( echo a )", "echo a @?"},
	{"function f { echo a; }", "echo a @?"},
	{"function f() { echo a; }", "echo a @?"},
	{"[[ -n $x && ( $y > 1 ) ]]", ""},
	{"((x++)); echo $x", "x++ @/w\n"
			     "echo $x @/w {1:u:}"},
	{"(( 1 )) && rm a", "1 @/w\n"
			    "rm a @/w"},
	{"echo }", "echo '}' @/w"},
	{"echo if then fi", "echo if then fi @/w"},
	{"echo $(cd /; x) `y`", "cd / @/w\n"
				"x @/\n"
				"x @/w\n"
				"y @/w\n"
				"echo $(cd /; x) `y` @/w {1:u:} {2:u:}"},
	{"((rm -rf /))", "rm -rf / @/w"},
	{"((cd /; rm *))", "cd / @/w\n"
			   "rm * @/ {1:g:*}\n"
			   "rm * @/w {1:g:*}"},
	{"(( x #y ))", ""},
	{"(( $(rm -rf /) + 1 ))",
	 "rm -rf / @/w\n"
	 "$(rm -rf /) + 1 @/w {0:u:} !the program is not known ($(rm -rf /))"},
	{"((cd x); y)", "cd x @/w\n"
			"y @/w"},
	{"((x=1)); rm /tmp/$x", "rm /tmp/$x @/w {1:u:}"},
};

static const struct shell_case redirections_cases[] = {
	{"rm x > out 2> err >> app &> both &>> both2 >| clob 2>&1 >&- <in", "rm x @/w\n"
									    "> out @/w\n"
									    "> err @/w\n"
									    "> app @/w\n"
									    "> both @/w\n"
									    "> both2 @/w\n"
									    "> clob @/w"},
	{"cat < /etc/shadow", "cat @/w"},
	{"rm x 3<> /dev/sda", "rm x @/w\n"
			      "> /dev/sda @/w"},
	{"exec > /etc/passwd", "exec @/w\n"
			       "> /etc/passwd @/w"},
	{"rm x >& /dev/sda", "rm x @/w\n"
			     "> /dev/sda @/w"},
	{"> /etc/passwd", "> /etc/passwd @/w"},
	{"echo > $F", "echo @/w\n"
		      "> $F @/w {1:u:}"},
	{"echo > *.log", "echo @/w\n"
			 "> *.log @/w {1:g:*.log}"},
	{"cat <<EOF\nrm -rf /\nEOF", "cat @/w"},
	{"cat <<-EOF\n\trm -rf /\n\tEOF\necho after", "cat @/w\n"
						      "echo after @/w"},
	{"cat <<'E'\n$(rm -rf /)\nE", "cat @/w"},
	{"cat <<E\n$(rm -rf /)\nE", "rm -rf / @/w\n"
				    "cat @/w"},
	{"cat <<A; cat <<B\na\nA\nb\nB", "cat @/w\n"
					 "cat @/w"},
	{"cat <<EOF", "cat @/w"},
	{"cat << ''\n\necho not-body", "cat @/w\n"
				       "echo not-body @/w"},
	{"cat <<< \"rm -rf /\"", "cat @/w"},
};

static const struct shell_case cwd_cases[] = {
	{"cd / && rm -rf *", "cd / @/w\n"
			     "rm -rf * @/ {2:g:*}"},
	{"cd /tmp; rm -rf *", "cd /tmp @/w\n"
			      "rm -rf * @/tmp {2:g:*}\n"
			      "rm -rf * @/w {2:g:*}"},
	{"cd /srv || exit 1; rm -rf *", "cd /srv @/w\n"
					"exit 1 @/w\n"
					"rm -rf * @/srv {2:g:*}"},
	{"if cd /srv; then rm -rf *; fi", "cd /srv @/w\n"
					  "rm -rf * @/srv {2:g:*}"},
	{"(cd /; x); y", "cd / @/w\n"
			 "x @/\n"
			 "x @/w\n"
			 "y @/w"},
	{"{ cd /; x; }; y", "cd / @/w\n"
			    "x @/\n"
			    "x @/w\n"
			    "y @/\n"
			    "y @/w"},
	{"cd / & rm *", "cd / @/w\n"
			"rm * @/w {1:g:*}"},
	{"true | cd /; rm *", "true @/w\n"
			      "cd / @/w\n"
			      "rm * @? {1:g:*}"},
	{"cd /a | cat; rm *", "cd /a @/w\n"
			      "cat @/w\n"
			      "rm * @/w {1:g:*}"},
	{"set -e; cd /srv; rm -rf *", "set -e @/w\n"
				      "cd /srv @/w\n"
				      "rm -rf * @/srv {2:g:*}"},
	{"set -o errexit; cd /srv; rm *", "set -o errexit @/w\n"
					  "cd /srv @/w\n"
					  "rm * @/srv {1:g:*}"},
	{"cd; rm *", "cd @/w\n"
		     "rm * @/h {1:g:*}\n"
		     "rm * @/w {1:g:*}"},
	{"cd -; rm *", "cd - @/w\n"
		       "rm * @? {1:g:*}"},
	{"cd $D; rm *", "cd $D @/w {1:u:}\n"
			"rm * @? {1:g:*}"},
	{"cd sub/../x; rm *", "cd sub/../x @/w\n"
			      "rm * @/w/x {1:g:*}\n"
			      "rm * @/w {1:g:*}"},
	{"cd /a; cd b; rm *", "cd /a @/w\n"
			      "cd b @/a\n"
			      "cd b @/w\n"
			      "rm * @? {1:g:*}"},
	{"cd /a; cd /b; cd /c; rm *", "cd /a @/w\n"
				      "cd /b @/a\n"
				      "cd /b @/w\n"
				      "cd /c @?\n"
				      "rm * @? {1:g:*}"},
	{"pushd /x; rm *", "pushd /x @/w\n"
			   "rm * @/x {1:g:*}\n"
			   "rm * @/w {1:g:*}"},
	{"popd; rm *", "popd @/w\n"
		       "rm * @? {1:g:*}"},
	{"while true; do cd ..; rm -rf *; done", "true @?\n"
						 "cd .. @?\n"
						 "rm -rf * @? {2:g:*}"},
	{"f() { cd /; }; f; rm -rf *", "cd / @?\n"
				       "f @/w\n"
				       "rm -rf * @? {2:g:*}"},
	{"eval 'cd /'; rm *", "eval 'cd /' @/w\n"
			      "cd / @/w\n"
			      "rm * @/ {1:g:*}\n"
			      "rm * @/w {1:g:*}"},
	{"builtin cd /; rm *", "builtin cd / @/w\n"
			       "cd / @/w\n"
			       "rm * @/ {1:g:*}\n"
			       "rm * @/w {1:g:*}"},
	{"command cd /; rm *", "command cd / @/w\n"
			       "cd / @/w\n"
			       "rm * @/ {1:g:*}\n"
			       "rm * @/w {1:g:*}"},
	{"exit; rm x", "exit @/w\n"
		       "rm x @/w"},
	{"echo $PWD; cd /x && echo $PWD", "echo /w @/w\n"
					  "cd /x @/w\n"
					  "echo /x @/x"},
};

static const struct shell_case variables_cases[] = {
	{"D=/; rm -rf $D", "rm -rf / @/w"},
	{"export D=/; rm -rf $D", "export D=/ @/w\n"
				  "rm -rf / @/w"},
	{"X=/a rm $X", "rm $X @/w {1:u:}"},
	{"X=/a Y=$X; rm $Y", "rm /a @/w"},
	{"X=/ sh -c 'rm -rf $X'", "sh -c 'rm -rf $X' @/w\n"
				  "rm -rf / @/w"},
	{"export D=/; sh -c 'rm -rf $D'", "export D=/ @/w\n"
					  "sh -c 'rm -rf $D' @/w\n"
					  "rm -rf / @/w"},
	{"D=/; sh -c 'rm -rf $D'", "sh -c 'rm -rf $D' @/w\n"
				   "rm -rf $D @/w {2:u:}"},
	{"D=/; export D; sh -c 'rm $D'", "export D @/w\n"
					 "sh -c 'rm $D' @/w\n"
					 "rm / @/w"},
	{"unset HOME; rm ~", "unset HOME @/w\n"
			     "rm ~ @/w {1:u:}"},
	{"read X; rm $X", "read X @/w\n"
			  "rm $X @/w {1:u:}"},
	{"read -r -p 'x' A B; rm $A $B", "read -r -p x A B @/w\n"
					 "rm $A $B @/w {1:u:} {2:u:}"},
	{"mapfile L; rm $L", "mapfile L @/w\n"
			     "rm $L @/w {1:u:}"},
	{"getopts ab O; rm $O", "getopts ab O @/w\n"
				"rm $O @/w {1:u:}"},
	{"printf -v P x; rm $P", "printf -v P x @/w\n"
				 "rm $P @/w {1:u:}"},
	{"let n=1; rm $n", "let n=1 @/w\n"
			   "rm $n @/w {1:u:}"},
	{"a && X=/; rm $X", "a @/w\n"
			    "rm $X @/w {1:u:}"},
	{"X=/t; true || X=/; rm $X", "true @/w\n"
				     "rm $X @/w {1:u:}"},
	{"if a; then X=/; fi; rm $X", "a @/w\n"
				      "rm $X @/w {1:u:}"},
	{"for i in 1; do X=/; done; rm $X", "rm $X @/w {1:u:}"},
	{"X=/t; while a; do rm $X; X=/; done", "a @/w\n"
					       "rm $X @/w {1:u:}"},
	{"echo | X=/; rm $X", "echo @/w\n"
			      "rm $X @/w {1:u:}"},
	{"X=/ & rm $X", "rm $X @/w {1:u:}"},
	{"declare -n R=X; R=/; rm $X", "declare -n R=X @/w\n"
				       "rm $X @/w {1:u:}"},
	{"local X=/l; rm $X", "local X=/l @/w\n"
			      "rm /l @/w"},
	{"readonly X=/r; rm $X", "readonly X=/r @/w\n"
				 "rm /r @/w"},
	{"typeset -x X=/t; sh -c 'rm $X'", "typeset -x X=/t @/w\n"
					   "sh -c 'rm $X' @/w\n"
					   "rm /t @/w"},
	{"f() { X=/; }; X=/t; f; rm $X", "f @/w\n"
					 "rm $X @/w {1:u:}"},
	{"set -- /a /b; rm $1 $2 $#; shift; rm $1", "set -- /a /b @/w\n"
						    "rm /a /b 2 @/w\n"
						    "shift @/w\n"
						    "rm /b @/w"},
	{"set -- a; shift 5; rm $1", "set -- a @/w\n"
				     "shift 5 @/w\n"
				     "rm a @/w"},
	{"source env.sh; rm -rf $X",
	 "source env.sh @/w\n"
	 "source env.sh @/w !source runs the commands of a file, which guard cannot see\n"
	 "rm -rf $X @? {2:u:}"},
	{". ./env.sh", ". ./env.sh @/w\n"
		       ". ./env.sh @/w !. runs the commands of a file, which guard cannot see"},
	{"alias ll='rm -rf /'; ll", "alias 'll=rm -rf /' @/w\n"
				    "rm -rf / @?\n"
				    "ll @/w"},
	{"trap 'rm -rf /tmp/x' EXIT", "trap 'rm -rf /tmp/x' EXIT @/w\n"
				      "rm -rf /tmp/x @?"},
	{"trap 'cd /' DEBUG; rm *", "trap 'cd /' DEBUG @/w\n"
				    "cd / @?\n"
				    "rm * @? {1:g:*}"},
	{"env -i FOO=/ sh -c 'rm -rf $FOO $HOME'", "env -i FOO=/ sh -c 'rm -rf $FOO $HOME' @/w\n"
						   "sh -c 'rm -rf $FOO $HOME' @/w\n"
						   "rm -rf / @/w"},
	{"shift 0; rm $1", "shift 0 @/w\n"
			   "rm @/w"},
	{"set -- a; shift 0; rm $1", "set -- a @/w\n"
				     "shift 0 @/w\n"
				     "rm a @/w"},
};

static const struct shell_case wrappers_cases[] = {
	{"sudo rm -fr /", "sudo rm -fr / @/w\n"
			  "rm -fr / @/w"},
	{"sudo env X=1 nice rm -rf /", "sudo env X=1 nice rm -rf / @/w\n"
				       "env X=1 nice rm -rf / @/w\n"
				       "nice rm -rf / @/w\n"
				       "rm -rf / @/w"},
	{"sudo -u root -g wheel -E -- rm -rf /", "sudo -u root -g wheel -E -- rm -rf / @/w\n"
						 "rm -rf / @/w"},
	{"sudo -uroot rm x", "sudo -uroot rm x @/w\n"
			     "rm x @/w"},
	{"sudo --user=root --chdir /srv rm -rf data",
	 "sudo --user=root --chdir /srv rm -rf data @/w\n"
	 "rm -rf data @/srv"},
	{"sudo -D /srv rm x", "sudo -D /srv rm x @/w\n"
			      "rm x @/srv"},
	{"sudo -D rel rm x", "sudo -D rel rm x @/w\n"
			     "rm x @/w/rel"},
	{"sudo -i rm -rf $HOME/x", "sudo -i rm -rf /h/x @/w\n"
				   "rm -rf /h/x @?"},
	{"sudo -s rm '$X'", "sudo -s rm '$X' @/w\n"
			    "rm $X @/w {1:u:}"},
	{"sudo -l rm", "sudo -l rm @/w"},
	{"sudo -e /etc/passwd", "sudo -e /etc/passwd @/w"},
	{"sudo -h", "sudo -h @/w"},
	{"sudo -hhost rm x", "sudo -hhost rm x @/w\n"
			     "rm x @/w"},
	{"sudo FOO=1 sh -c 'rm $FOO'", "sudo FOO=1 sh -c 'rm $FOO' @/w\n"
				       "sh -c 'rm $FOO' @/w\n"
				       "rm 1 @/w"},
	{"sudo $OPTS rm x", "sudo $OPTS rm x @/w {1:u:}\n"
			    "sudo $OPTS rm x @/w {1:u:} !sudo has an argument guard cannot know"},
	{"sudo", "sudo @/w"},
	{"doas -u root rm x", "doas -u root rm x @/w\n"
			      "rm x @/w"},
	{"doas -C /etc/doas.conf rm x", "doas -C /etc/doas.conf rm x @/w"},
	{"doas -s", "doas -s @/w"},
	{"env -i PATH=/bin rm x", "env -i PATH=/bin rm x @/w\n"
				  "rm x @/w"},
	{"env -u HOME -C /tmp rm -rf *", "env -u HOME -C /tmp rm -rf * @/w {7:g:*}\n"
					 "rm -rf * @/tmp {2:g:*}"},
	{"env -- rm x", "env -- rm x @/w\n"
			"rm x @/w"},
	{"env - FOO=1 sh -c 'echo $FOO'", "env - FOO=1 sh -c 'echo $FOO' @/w\n"
					  "sh -c 'echo $FOO' @/w\n"
					  "echo 1 @/w"},
	{"env -S 'rm -rf /' x", "env -S 'rm -rf /' x @/w\n"
				"rm -rf / x @/w"},
	{"env -S '-i FOO=/ sh -c \"rm -rf \\$FOO\"'",
	 "env -S '-i FOO=/ sh -c \"rm -rf \\$FOO\"' @/w\n"
	 "sh -c 'rm -rf $FOO' @/w\n"
	 "rm -rf / @/w"},
	{"env -S \"'unterminated\"",
	 "env -S ''\\''unterminated' @/w\n"
	 "env -S ''\\''unterminated' @/w !env -S splits a string guard cannot know"},
	{"env", "env @/w"},
	{"nice -n 10 rm x", "nice -n 10 rm x @/w\n"
			    "rm x @/w"},
	{"nice -10 rm x", "nice -10 rm x @/w\n"
			  "rm x @/w"},
	{"nice --adjustment=5 nice rm x", "nice --adjustment=5 nice rm x @/w\n"
					  "nice rm x @/w\n"
					  "rm x @/w"},
	{"ionice -c2 -n7 rm x", "ionice -c2 -n7 rm x @/w\n"
				"rm x @/w"},
	{"ionice -p 123", "ionice -p 123 @/w"},
	{"nohup rm x", "nohup rm x @/w\n"
		       "rm x @/w"},
	{"timeout 10 rm x", "timeout 10 rm x @/w\n"
			    "rm x @/w"},
	{"timeout --signal=KILL -k 5 10s rm x", "timeout --signal=KILL -k 5 10s rm x @/w\n"
						"rm x @/w"},
	{"stdbuf -i0 -o L rm x", "stdbuf -i0 -o L rm x @/w\n"
				 "rm x @/w"},
	{"time -p rm x", "time -p rm x @/w\n"
			 "rm x @/w"},
	{"/usr/bin/time -o /etc/passwd rm x", "/usr/bin/time -o /etc/passwd rm x @/w\n"
					      "> /etc/passwd @/w\n"
					      "rm x @/w"},
	{"command -v rm", "command -v rm @/w"},
	{"command rm x", "command rm x @/w\n"
			 "rm x @/w"},
	{"builtin echo x", "builtin echo x @/w\n"
			   "echo x @/w"},
	{"exec rm x", "exec rm x @/w\n"
		      "rm x @/w"},
	{"exec -a name rm x", "exec -a name rm x @/w\n"
			      "rm x @/w"},
	{"watch -n 1 'rm -rf /tmp/x'", "watch -n 1 'rm -rf /tmp/x' @/w\n"
				       "rm -rf /tmp/x @/w"},
	{"watch -x rm -rf /", "watch -x rm -rf / @/w\n"
			      "rm -rf / @/w"},
	{"watch ls *", "watch ls * @/w {2:g:*}\n"
		       "watch ls * @/w {2:g:*} !watch runs words guard cannot know"},
	{"xargs rm -rf", "xargs rm -rf @/w\n"
			 "rm -rf ... @/w {2:u:}"},
	{"xargs -0 -n1 -P4 rm", "xargs -0 -n1 -P4 rm @/w\n"
				"rm ... @/w {1:u:}"},
	{"xargs", "xargs @/w\n"
		  "echo ... @/w {1:u:}"},
	{"xargs -a list.txt rm", "xargs -a list.txt rm @/w\n"
				 "rm ... @/w {1:u:}"},
	{"xargs -I{} rm -rf /srv/{}", "xargs '-I{}' rm -rf '/srv/{}' @/w\n"
				      "rm -rf /srv/{} @/w {2:u:}"},
	{"xargs -i mv {} /tmp", "xargs -i mv '{}' /tmp @/w\n"
				"mv {} /tmp @/w {1:u:}"},
	{"find / -delete", "find / -delete @/w"},
	{"find / -name '*.o' -exec rm -f {} \\;", "find / -name '*.o' -exec rm -f '{}' ';' @/w\n"
						  "rm -f {} @/w {2:b:/}"},
	{"find /srv -type f -execdir rm {} +", "find /srv -type f -execdir rm '{}' + @/w\n"
					       "rm {} @? {1:b:/srv}"},
	{"find . -exec sh -c 'rm -rf \"$1\"' _ {} \\;",
	 "find . -exec sh -c 'rm -rf \"$1\"' _ '{}' ';' @/w\n"
	 "sh -c 'rm -rf \"$1\"' _ {} @/w {4:b:.}\n"
	 "rm -rf {} @/w {2:b:.}"},
	{"find / /home -exec rm {} \\;", "find / /home -exec rm '{}' ';' @/w\n"
					 "rm {} @/w {1:u:}"},
	{"find -exec rm {}.bak \\;", "find -exec rm '{}.bak' ';' @/w\n"
				     "rm {}.bak @/w {1:u:}"},
	{"find / -fprint /etc/passwd", "find / -fprint /etc/passwd @/w\n"
				       "> /etc/passwd @/w"},
	{"find / -exec rm", "find / -exec rm @/w"},
	{"find -L /x -ok rm {} \\; -exec echo {} +",
	 "find -L /x -ok rm '{}' ';' -exec echo '{}' + @/w\n"
	 "rm {} @/w {1:b:/x}\n"
	 "echo {} @/w {1:b:/x}"},
	{"find $D -exec rm {} \\;", "find $D -exec rm '{}' ';' @/w {1:u:}\n"
				    "rm {} @/w {1:u:}"},
	{"find /x* -exec rm {} \\;", "find /x* -exec rm '{}' ';' @/w {1:g:/x*}\n"
				     "rm {} @/w {1:gb:/x*}"},
	{"bash -c 'cd / && rm -rf *'", "bash -c 'cd / && rm -rf *' @/w\n"
				       "cd / @/w\n"
				       "rm -rf * @/ {2:g:*}"},
	{"sh -c 'rm -rf $1' _ /", "sh -c 'rm -rf $1' _ / @/w\n"
				  "rm -rf / @/w"},
	{"sh -c 'echo $0' name", "sh -c 'echo $0' name @/w\n"
				 "echo name @/w"},
	{"bash -lc 'rm x'", "bash -lc 'rm x' @/w\n"
			    "rm x @/w"},
	{"bash -o pipefail -c 'rm x'", "bash -o pipefail -c 'rm x' @/w\n"
				       "rm x @/w"},
	{"bash --norc -c 'rm x'", "bash --norc -c 'rm x' @/w\n"
				  "rm x @/w"},
	{"sh -c \"$CMD\"", "sh -c \"$CMD\" @/w {2:u:}\n"
			   "sh -c \"$CMD\" @/w {2:u:} !sh -c runs a string guard cannot know"},
	{"sh script.sh", "sh script.sh @/w"},
	{"sh -c", "sh -c @/w"},
	{"zsh -c 'rm x'", "zsh -c 'rm x' @/w\n"
			  "rm x @/w"},
	{"sudo bash -c 'rm -rf /'", "sudo bash -c 'rm -rf /' @/w\n"
				    "bash -c 'rm -rf /' @/w\n"
				    "rm -rf / @/w"},
	{"su -c 'rm -rf /' root", "su -c 'rm -rf /' root @/w\n"
				  "rm -rf / @/w"},
	{"su - bob -c 'rm -rf ~'", "su - bob -c 'rm -rf ~' @/w\n"
				   "rm -rf ~ @? {2:u:}"},
	{"runuser -u bob -- rm x", "runuser -u bob -- rm x @/w\n"
				   "rm x @/w"},
	{"su root", "su root @/w"},
	{"sudo su", "sudo su @/w\n"
		    "su @/w"},
	{"ssh -p 22 -i key.pem admin@db1.example.com 'cd /var/lib && rm -rf mysql'",
	 "ssh -p 22 -i key.pem admin@db1.example.com 'cd /var/lib && rm -rf mysql' @/w\n"
	 "cd /var/lib @? host=db1.example.com\n"
	 "rm -rf mysql @/var/lib host=db1.example.com"},
	{"ssh ssh://root@host:2222 ls", "ssh ssh://root@host:2222 ls @/w\n"
					"ls @? host=host"},
	{"ssh -t host", "ssh -t host @/w"},
	{"ssh -N -L 80:x:80 host", "ssh -N -L 80:x:80 host @/w"},
	{"ssh $H rm x", "ssh $H rm x @/w {1:u:}\n"
			"ssh $H rm x @/w {1:u:} !ssh has an argument guard cannot know"},
	{"ssh host rm $X",
	 "ssh host rm $X @/w {3:u:}\n"
	 "ssh host rm $X @/w {3:u:} !ssh runs a remote command guard cannot know"},
	{"ssh host 'rm $X'", "ssh host 'rm $X' @/w\n"
			     "rm $X @? host=host {1:u:}"},
	{"ssh host rm '*'", "ssh host rm '*' @/w\n"
			    "rm * @? host=host {1:g:*}"},
	{"ssh host 'rm ~/x'", "ssh host 'rm ~/x' @/w\n"
			      "rm ~/x @? host=host {1:u:}"},
	{"ssh a ssh b rm x", "ssh a ssh b rm x @/w\n"
			     "ssh b rm x @? host=a\n"
			     "rm x @? host=b"},
	{"/usr/bin/time -o /?etc/passwd rm x",
	 "/usr/bin/time -o /?etc/passwd rm x @/w {2:g:/?etc/passwd}\n"
	 "> /?etc/passwd @/w {1:g:/?etc/passwd}\n"
	 "rm x @/w"},
	{"time -o $LOG rm x", "time -o $LOG rm x @/w {2:u:}\n"
			      "> $LOG @/w {1:u:}\n"
			      "rm x @/w"},
};

static const struct shell_case stdin_cases[] = {
	{"curl x | sh", "curl x @/w\n"
			"sh @/w\n"
			"sh @/w !sh reads its commands from a pipe"},
	{"curl x | sudo bash", "curl x @/w\n"
			       "sudo bash @/w\n"
			       "bash @/w\n"
			       "bash @/w !bash reads its commands from a pipe"},
	{"bash <<EOF\nrm -rf /\nEOF", "bash @/w\n"
				      "rm -rf / @/w"},
	{"bash <<'EOF'\nrm -rf $HOME\nEOF", "bash @/w\n"
					    "rm -rf /h @/w"},
	{"bash <<EOF\nrm -rf $UNK\nEOF", "bash @/w\n"
					 "bash @/w !bash reads its commands from a here-document "
					 "that holds what guard cannot know"},
	{"bash <<EOF; echo x\nrm -rf /\nEOF", "bash @/w\n"
					      "rm -rf / @/w\n"
					      "echo x @/w"},
	{"sh -s <<< 'rm -rf /'", "sh -s @/w\n"
				 "rm -rf / @/w"},
	{"bash <<< \"$X\"",
	 "bash @/w\n"
	 "bash @/w !bash reads its commands from a here-string that holds what guard cannot know"},
	{"cat file | python3", "cat file @/w\n"
			       "python3 @/w\n"
			       "python3 @/w !python3 reads its program from a pipe"},
	{"python3 script.py < data", "python3 script.py @/w"},
	{"python3 -c 'import os' < data", "python3 -c 'import os' @/w"},
	{"python3 - < x.py", "python3 - @/w\n"
			     "python3 - @/w !python3 reads its program from a file"},
	{"python3 <<EOF\nx\nEOF", "python3 @/w\n"
				  "python3 @/w !python3 reads its program from a here-document"},
	{"perl -e 1 | sh", "perl -e 1 @/w\n"
			   "sh @/w\n"
			   "sh @/w !sh reads its commands from a pipe"},
	{"node", "node @/w"},
	{"ruby < x", "ruby @/w\n"
		     "ruby @/w !ruby reads its program from a file"},
	{"bash < cmds.sh", "bash @/w\n"
			   "bash @/w !bash reads its commands from a file"},
	{"bash < /dev/null", "bash @/w"},
	{"{ bash; } < cmds", "bash @/w\n"
			     "bash @/w !bash reads its commands from a file"},
	{"while read l; do bash; done < cmds", "read l @/w\n"
					       "bash @/w\n"
					       "bash @/w !bash reads its commands from a file"},
	{"echo rm -rf / | ssh host",
	 "echo rm -rf / @/w\n"
	 "ssh host @/w\n"
	 "ssh host @? host=host !the shell on host reads its commands from a pipe"},
	{"bash", "bash @/w"},
	{"sudo -i", "sudo -i @/w"},
	{"cat x | xargs sh", "cat x @/w\n"
			     "xargs sh @/w\n"
			     "sh ... @/w {1:u:}\n"
			     "sh ... @/w {1:u:} !sh has an argument guard cannot know"},
};

static const struct shell_case unknown_cases[] = {
	{"echo \"unterminated",
	 "echo \"unterminated @/w {0:u:} !the line: an unterminated double quote"},
	{"echo 'x", "echo 'x @/w {0:u:} !the line: an unterminated single quote"},
	{"echo $(ls", "ls @/w\n"
		      "echo $(ls @/w {0:u:} !the line: an unterminated $( )"},
	{"echo `ls", "echo `ls @/w {0:u:} !the line: an unterminated backquote"},
	{"echo ${X", "echo ${X @/w {0:u:} !the line: an unterminated ${"},
	{"echo $'x", "echo $'x @/w {0:u:} !the line: an unterminated $'...' quote"},
	{"rm -rf / \"oops", "rm -rf / \"oops @/w {0:u:} !the line: an unterminated double quote"},
	{"rm /; echo \"oops",
	 "rm / @/w\n"
	 "rm /; echo \"oops @/w {0:u:} !the line: an unterminated double quote"},
	{"a; ;", "a @/w\n"
		 "a; ; @/w {0:u:} !the line: a command was expected"},
	{";", "; @/w {0:u:} !the line: a command was expected"},
	{"&& a", "&& a @/w {0:u:} !the line: a command was expected"},
	{"a |", "a @/w\n"
		"a | @/w {0:u:} !the line: a command was expected"},
	{"(", "( @/w {0:u:} !the line: an unterminated ( subshell"},
	{")", ") @/w {0:u:} !the line: a token where none may be"},
	{"{ a", "a @/w\n"
		"{ a @/w {0:u:} !the line: an unterminated { group"},
	{"a }", "a '}' @/w"},
	{"if a; then b", "a @/w\n"
			 "b @/w\n"
			 "if a; then b @/w {0:u:} !the line: an if without its fi"},
	{"case x in a) b;; ",
	 "b @/w\n"
	 "case x in a) b;;  @/w {0:u:} !the line: a case pattern was expected"},
	{"while a; do b", "a @/w\n"
			  "b @/w\n"
			  "while a; do b @/w {0:u:} !the line: a loop without its done"},
	{"for x in a; do b; done extra",
	 "b @/w\n"
	 "for x in a; do b; done extra @/w {0:u:} !the line: a token where none may be"},
	{"for 1 in a; do b; done",
	 "for 1 in a; do b; done @/w {0:u:} !the line: a for without its variable"},
	{"f() x", "x @?"},
	{"echo $((1+", "1+ @/w\n"
		       "echo $((1+ @/w {0:u:} !the line: an unterminated ( subshell"},
	{"echo ${}", "echo ${} @/w {0:u:} !the line: a bad ${ } substitution"},
	{"echo <<", "echo << @/w {0:u:} !the line: a here-document without a delimiter"},
	{"echo >", "echo > @/w {0:u:} !the line: a redirection without a file"},
	{"x=(a b", "x=(a b @/w {0:u:} !the line: an unterminated array"},
	{"$CMD -rf /", "$CMD -rf / @/w {0:u:} !the program is not known ($CMD)"},
	{"$(echo rm) -rf /", "echo rm @/w\n"
			     "$(echo rm) -rf / @/w {0:u:} !the program is not known ($(echo rm))"},
	{"/bin/r* x", "/bin/r* x @/w {0:g:/bin/r*} !the program is a pattern (/bin/r*)"},
	{"eval \"$X\"", "eval \"$X\" @/w {1:u:}\n"
			"eval \"$X\" @/w {1:u:} !eval runs a string guard cannot know"},
	{"eval rm -rf /", "eval rm -rf / @/w\n"
			  "rm -rf / @/w"},
	{"source x.sh",
	 "source x.sh @/w\n"
	 "source x.sh @/w !source runs the commands of a file, which guard cannot see"},
	{"rm @(x", "rm @(x @/w {0:u:} !the line: an unterminated extended glob"},
};

static const char *const env[] = {"REPORTED=/srv/r"};

static struct policy_request request(void)
{
	return (struct policy_request){
		.cwd = "/w",
		.home = "/h",
		.env = env,
		.n_env = N(env),
		.host = "db1",
		.uid = 1000,
		.user = "alice",
	};
}

/* Appends to a growing string. */
static void add(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(char **s, const char *fmt, ...)
{
	char *more, *joined;
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&more, fmt, ap), 0);
	va_end(ap);
	ck_assert_int_ge(asprintf(&joined, "%s%s", *s, more), 0);
	free(*s);
	free(more);
	*s = joined;
}

static void add_part(char **s, const struct policy_part *p)
{
	char text[POLICY_PART_TEXT_MAX];

	policy_part_text(p, text, sizeof(text));
	add(s, "%s @%s", text, p->cwd ? p->cwd : "?");
	if (p->host || p->host_unknown)
		add(s, " host=%s", p->host ? p->host : "?");
	for (size_t k = 0; p->words && k < p->argc; k++) {
		unsigned f = p->words[k].flags;

		if (f)
			add(s, " {%zu:%s%s%s:%s}", k, f & POLICY_WORD_UNKNOWN ? "u" : "",
			    f & POLICY_WORD_GLOB ? "g" : "", f & POLICY_WORD_BELOW ? "b" : "",
			    p->words[k].pattern ? p->words[k].pattern : "");
	}
	if (p->unknown)
		add(s, " !%s", p->unknown);
}

static char *summary(const struct policy_parts *parts)
{
	char *s = strdup("");

	for (size_t i = 0; i < parts->n; i++) {
		if (i > 0)
			add(&s, "\n");
		add_part(&s, &parts->v[i]);
	}
	return s;
}

static char *line_summary(const char *line)
{
	struct policy_request req = request();
	struct policy_parts parts;
	char *s;

	ck_assert_int_eq(policy_shell_line(&req, line, &parts), 0);
	s = summary(&parts);
	policy_parts_done(&parts);
	return s;
}

static void check(const struct shell_case *c)
{
	char *got = line_summary(c->line);

	ck_assert_msg(strcmp(got, c->want) == 0, "line: %s\n--- want:\n%s\n--- got:\n%s", c->line,
		      c->want, got);
	free(got);
}

#define CASES(name)                                                                                \
	START_TEST(name##_line)                                                                    \
	{                                                                                          \
		check(&name##_cases[_i]);                                                          \
	}                                                                                          \
	END_TEST

CASES(words)
CASES(structure)
CASES(redirections)
CASES(cwd)
CASES(variables)
CASES(wrappers)
CASES(stdin)
CASES(unknown)

/* The last part of a line, which must be one that is not understood, says why. */
static void expect_last_unknown(const char *line, const char *why)
{
	struct policy_request req = request();
	struct policy_parts parts;

	ck_assert_int_eq(policy_shell_line(&req, line, &parts), 0);
	ck_assert_uint_ge(parts.n, 1);
	ck_assert_ptr_nonnull(parts.v[parts.n - 1].unknown);
	ck_assert_msg(strstr(parts.v[parts.n - 1].unknown, why), "want \"%s\" in \"%s\"", why,
		      parts.v[parts.n - 1].unknown);
	policy_parts_done(&parts);
}

static size_t count_parts(const char *line, size_t *ret_unknown)
{
	struct policy_request req = request();
	struct policy_parts parts;
	size_t n;

	ck_assert_int_eq(policy_shell_line(&req, line, &parts), 0);
	n = parts.n;
	*ret_unknown = 0;
	for (size_t i = 0; i < n; i++)
		*ret_unknown += parts.v[i].unknown != NULL;
	policy_parts_done(&parts);
	return n;
}

/* A string of n copies of s, then tail. */
static char *repeat(const char *s, size_t n, const char *tail)
{
	size_t len = strlen(s);
	char *out = malloc(len * n + strlen(tail) + 1);

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	strcpy(out + len * n, tail);
	return out;
}

/* Limits. */

START_TEST(line_longer_than_the_limit_is_refused)
{
	struct policy_request req = request();
	struct policy_parts parts;
	char *line = repeat("a", POLICY_LINE_MAX + 1, "");

	ck_assert_int_eq(policy_shell_line(&req, line, &parts), -EINVAL);
	line[POLICY_LINE_MAX] = '\0';
	ck_assert_int_eq(policy_shell_line(&req, line, &parts), 0);
	ck_assert_uint_eq(parts.n, 1);
	policy_parts_done(&parts);
	free(line);
}
END_TEST

/* sh -c 'sh -c "..."' nested: eight levels are analysed, the ninth is not. */
static char *nested_sh(unsigned depth)
{
	char *s = strdup("rm -rf /");

	for (unsigned i = 0; i < depth; i++) {
		char *quoted = strdup(""), *next;

		for (const char *c = s; *c; c++) {
			char *q;

			ck_assert_int_ge(asprintf(&q, "%s%s", quoted,
						  *c == '\'' ? "'\\''" : (char[]){*c, 0}),
					 0);
			free(quoted);
			quoted = q;
		}
		ck_assert_int_ge(asprintf(&next, "sh -c '%s'", quoted), 0);
		free(quoted);
		free(s);
		s = next;
	}
	return s;
}

START_TEST(texts_nest_eight_deep)
{
	char *ok = nested_sh(8), *deep = nested_sh(9);
	char *got = line_summary(ok);
	size_t unknown;

	ck_assert_msg(strstr(got, "\nrm -rf / @/w") != NULL, "%s", got);
	count_parts(ok, &unknown);
	ck_assert_uint_eq(unknown, 0);
	expect_last_unknown(deep, "nested more than 8 deep");
	free(got);
	free(ok);
	free(deep);
}
END_TEST

START_TEST(substitutions_nest_eight_deep)
{
	char *open8 = repeat("echo $(", 8, "rm -rf /"), *open9 = repeat("echo $(", 9, "rm -rf /");
	char *ok = repeat(")", 8, ""), *deep = repeat(")", 9, "");
	char *line;
	size_t unknown;

	ck_assert_int_ge(asprintf(&line, "%s%s", open8, ok), 0);
	ck_assert_uint_eq(count_parts(line, &unknown), 9);
	ck_assert_uint_eq(unknown, 0);
	free(line);
	ck_assert_int_ge(asprintf(&line, "%s%s", open9, deep), 0);
	expect_last_unknown(line, "nested too deeply");
	free(line);
	free(open8);
	free(open9);
	free(ok);
	free(deep);
}
END_TEST

START_TEST(compound_commands_nest_sixty_four_deep)
{
	char *open63 = repeat("( ", 63, "rm x"), *open65 = repeat("{ ", 65, "rm x");
	char *close63 = repeat(" )", 63, ""), *close65 = repeat("; }", 65, "");
	char *ok, *deep;
	size_t unknown;

	ck_assert_int_ge(asprintf(&ok, "%s%s", open63, close63), 0);
	ck_assert_int_ge(asprintf(&deep, "%s%s", open65, close65), 0);
	ck_assert_uint_eq(count_parts(ok, &unknown), 1);
	ck_assert_uint_eq(unknown, 0);
	expect_last_unknown(deep, "nested too deeply");
	free(ok);
	free(deep);
	free(open63);
	free(open65);
	free(close63);
	free(close65);
}
END_TEST

START_TEST(parts_stop_at_the_limit)
{
	char *ok = repeat("a;", POLICY_SHELL_PARTS_MAX, "");
	char *over = repeat("a;", POLICY_SHELL_PARTS_MAX + 1, "rm -rf /");
	size_t unknown;

	ck_assert_uint_eq(count_parts(ok, &unknown), POLICY_SHELL_PARTS_MAX);
	ck_assert_uint_eq(unknown, 0);
	ck_assert_uint_eq(count_parts(over, &unknown), POLICY_SHELL_PARTS_MAX + 1);
	ck_assert_uint_eq(unknown, 1);
	expect_last_unknown(over, "more than 256 commands");
	free(ok);
	free(over);
}
END_TEST

START_TEST(words_stop_at_the_limit)
{
	char *ok = repeat(" x", POLICY_SHELL_WORDS_MAX - 1, "");
	char *over = repeat(" x", POLICY_SHELL_WORDS_MAX, "");
	char *line;
	size_t unknown;

	ck_assert_int_ge(asprintf(&line, "echo%s", ok), 0);
	ck_assert_uint_eq(count_parts(line, &unknown), 1);
	ck_assert_uint_eq(unknown, 0);
	free(line);
	ck_assert_int_ge(asprintf(&line, "echo%s", over), 0);
	expect_last_unknown(line, "more than 4096 words");
	free(line);
	free(ok);
	free(over);
}
END_TEST

START_TEST(expansions_stop_at_the_budget)
{
	/* 40 KB, doubled and doubled again: far more than 1 MiB + 32 times the line. */
	char *value = repeat("a", 40000, ""), *line;

	ck_assert_int_ge(
		asprintf(&line, "X=%s; X=$X$X$X$X$X$X$X$X; X=$X$X$X$X$X$X$X$X; echo $X", value), 0);
	expect_last_unknown(line, "more than guard analyses");
	free(line);
	free(value);
}
END_TEST

START_TEST(variables_beyond_the_limit_are_not_known)
{
	char *many = repeat("a=1; ", POLICY_SHELL_VARS_MAX, "rm $D");
	char *line, *got;

	ck_assert_int_ge(asprintf(&line, "D=/x; %s", many), 0);
	got = line_summary(line);
	ck_assert_str_eq(got, "rm $D @/w {1:u:}");
	free(got);
	free(line);
	free(many);
}
END_TEST

START_TEST(functions_beyond_the_limit_are_not_understood)
{
	char *ok = repeat("f() { :; }; ", POLICY_SHELL_FUNCS_MAX, "");
	char *over = repeat("f() { :; }; ", POLICY_SHELL_FUNCS_MAX + 1, "");
	size_t unknown;

	count_parts(ok, &unknown);
	ck_assert_uint_eq(unknown, 0);
	expect_last_unknown(over, "more than 64 functions");
	free(ok);
	free(over);
}
END_TEST

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lines of the most expensive shapes, at the longest: each must be quick (linear), also
 * under the sanitizers and valgrind, which is what the generous bound is for. */
START_TEST(worst_lines_take_linear_time)
{
	static const char *const units[] = {
		"a;",     "((",           "$(",
		"`",      "${",           "'",
		"\"$x",   "{a,",          "\\\n",
		"x=$y;",  "$((",          "cd a;",
		"<<E\n",  "for x; do ",   "while a; do ",
		"f() { ", "(( x #y ))\n", "((a$((",
		"$( (",   "if a; then ",  "case x in x) ",
		"${x:-",  "x=$x$x$x$x;",  "[[ ",
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char *line = repeat(units[i], POLICY_LINE_MAX / strlen(units[i]), "");
		struct policy_request req = request();
		struct policy_parts parts;
		double start = seconds();

		ck_assert_int_eq(policy_shell_line(&req, line, &parts), 0);
		ck_assert_msg(seconds() - start < 20, "%s took %.1f s", units[i],
			      seconds() - start);
		policy_parts_done(&parts);
		free(line);
	}
}
END_TEST

/* What is shown: no control characters. */
static void check_text(const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		ck_assert_msg(*c >= 0x20 && *c != 0x7f, "control character in %s", text);
}

/* Found by fuzz-shell: nested "((" were read both ways at every level, which took time
 * exponential in their depth. */
START_TEST(nested_double_parens_are_read_in_linear_time)
{
	char *line = repeat("((((((((((($(>((", 400, "x");
	struct policy_request req = request();
	struct policy_parts parts;
	double start = seconds();

	ck_assert_int_eq(policy_shell_line(&req, line, &parts), 0);
	ck_assert_msg(seconds() - start < 5, "took %.1f s", seconds() - start);
	policy_parts_done(&parts);
	free(line);
}
END_TEST

/* Malformed input: no crash, and what is shown of it is safe to show. */
START_TEST(hostile_bytes_are_data)
{
	static const char *const lines[] = {
		"\x01\x02\x7f",
		"echo \xff\xfe\xc3",
		"rm \xc3\x28 \xe2\x82 \xf0\x9f\x98",
		"\x1b[31mred",
		"echo $'\\xff\\u00' $'\\U0010ffff\\U7fffffff'",
		"}}}{{{",
		"))(((",
		";;;&&&|||",
		"<<<<<<<<",
		">>>>>>",
		"$$$$$$",
		"`$(`$(`",
		"${${${",
		"\\",
		"'",
		"\"",
		"#",
		"!",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct policy_request req = request();
		struct policy_parts parts;

		ck_assert_int_eq(policy_shell_line(&req, lines[i], &parts), 0);
		for (size_t k = 0; k < parts.n; k++) {
			char text[POLICY_PART_TEXT_MAX];

			policy_part_text(&parts.v[k], text, sizeof(text));
			check_text(text);
			if (parts.v[k].unknown)
				check_text(parts.v[k].unknown);
		}
		policy_parts_done(&parts);
	}
}
END_TEST

/* argv requests. */

static struct policy_parts argv_parts(const char *const *argv, const char *program)
{
	struct policy_request req = request();
	struct policy_parts parts;

	req.argv = argv;
	while (argv[req.argc])
		req.argc++;
	req.program = program;
	ck_assert_int_eq(policy_shell_argv(&req, &parts), 0);
	return parts;
}

START_TEST(argv_request_is_its_command_and_what_its_wrappers_run)
{
	struct policy_parts parts =
		argv_parts(ARGV("sudo", "env", "X=1", "nice", "rm", "-rf", "/"), "/usr/bin/sudo");
	char *got = summary(&parts);

	ck_assert_str_eq(got, "sudo env X=1 nice rm -rf / @/w\n"
			      "env X=1 nice rm -rf / @/w\n"
			      "nice rm -rf / @/w\n"
			      "rm -rf / @/w");
	/* The client's resolution is the request's own command's only. */
	ck_assert_str_eq(parts.v[0].program, "/usr/bin/sudo");
	for (size_t i = 0; i < parts.n; i++) {
		ck_assert(parts.v[i].verbatim);
		if (i > 0)
			ck_assert_ptr_null(parts.v[i].program);
	}
	free(got);
	policy_parts_done(&parts);
}
END_TEST

START_TEST(argv_words_are_data)
{
	struct policy_parts parts = argv_parts(ARGV("sudo", "rm", "*", "$X", "a b"), NULL);
	char *got = summary(&parts);

	/* The client's shell has expanded its line already: nothing is a glob or unknown. */
	ck_assert_str_eq(got, "sudo rm '*' '$X' 'a b' @/w\nrm '*' '$X' 'a b' @/w");
	free(got);
	policy_parts_done(&parts);
}
END_TEST

START_TEST(argv_shell_string_is_a_line)
{
	struct policy_parts parts = argv_parts(ARGV("sh", "-c", "cd / && rm -rf *"), "/bin/sh");
	char *got = summary(&parts);

	ck_assert_str_eq(got, "sh -c 'cd / && rm -rf *' @/w\ncd / @/w\nrm -rf * @/ {2:g:*}");
	ck_assert(parts.v[0].verbatim);
	ck_assert(!parts.v[2].verbatim);
	free(got);
	policy_parts_done(&parts);
}
END_TEST

START_TEST(argv_find_exec_and_ssh)
{
	struct policy_parts parts = argv_parts(
		ARGV("find", "/srv", "-exec", "ssh", "db1", "rm -rf", "{}", ";"), "/usr/bin/find");
	char *got = summary(&parts);

	/* ssh joins its words: "{}" goes to the remote shell as the text it is. */
	ck_assert_str_eq(got, "find /srv -exec ssh db1 'rm -rf' '{}' ';' @/w\n"
			      "ssh db1 'rm -rf' {} @/w {3:b:/srv}\n"
			      "ssh db1 'rm -rf' {} @/w {3:b:/srv} !ssh runs a remote command guard "
			      "cannot know");
	free(got);
	policy_parts_done(&parts);
}
END_TEST

START_TEST(argv_too_many_words_is_not_understood)
{
	const char **argv = calloc(POLICY_SHELL_WORDS_MAX + 2, sizeof(*argv));
	struct policy_parts parts;

	ck_assert_ptr_nonnull(argv);
	argv[0] = "sudo";
	for (size_t i = 1; i <= POLICY_SHELL_WORDS_MAX; i++)
		argv[i] = "x";
	parts = argv_parts(argv, NULL);
	ck_assert_uint_eq(parts.n, 1);
	ck_assert_str_eq(parts.v[0].unknown, "a command of more than 4096 words");
	policy_parts_done(&parts);
	free(argv);
}
END_TEST

START_TEST(unwrapping_programs)
{
	static const char *const yes[] = {
		"sudo", "doas",    "env",     "nice", "ionice", "nohup", "timeout", "stdbuf",
		"time", "command", "builtin", "exec", "watch",  "xargs", "find",    "sh",
		"bash", "dash",    "zsh",     "ksh",  "ash",    "ssh",   "su",      "runuser"};
	static const char *const no[] = {"rm", "git", "python3", "Sudo", "sudoedit", "", "s"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(policy_shell_unwraps(yes[i]), "%s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!policy_shell_unwraps(no[i]), "%s", no[i]);
}
END_TEST

/* Text. */

static const struct text_case {
	const char *const *argv;
	const struct policy_word *words;
	size_t size;
	const char *want;
} text_cases[] = {
	{ARGV("rm", "-rf", "/"), NULL, 256, "rm -rf /"},
	{ARGV("echo", "a b", "", "it's"), NULL, 256, "echo 'a b' '' 'it'\\''s'"},
	{ARGV(">", "/dev/sda"), NULL, 256, "> /dev/sda"},
	{ARGV("echo", "\x1b[31m", "a\tb"), NULL, 256, "echo '?[31m' 'a?b'"},
	{ARGV("echo", "\xff\xc3\x28\xe2\x82\xac\xed\xa0\x80"), NULL, 256, "echo '?\?(€?\?\?'"},
	{ARGV("echo", "héllo"), NULL, 256, "echo héllo"},
	{ARGV("rm", "$DIR/x"), (const struct policy_word[]){{0}, {NULL, POLICY_WORD_UNKNOWN}}, 256,
	 "rm $DIR/x"},
	{ARGV("echo", "abcdefgh"), NULL, 12, "echo abc..."},
	{ARGV("echo", "ééééé"), NULL, 12, "echo é..."},
	{ARGV("echo", "ééééé"), NULL, 13, "echo éé..."},
	{ARGV("echo"), NULL, 5, "echo"},
	{ARGV("echo"), NULL, 4, "..."},
	{ARGV("echo"), NULL, 3, ""},
	{ARGV("echo"), NULL, 2, ""},
	{ARGV("echo"), NULL, 1, ""},
};

START_TEST(part_text)
{
	const struct text_case *c = &text_cases[_i];
	struct policy_part part = {.argv = c->argv, .words = c->words};
	char buf[256];

	while (c->argv[part.argc])
		part.argc++;
	memset(buf, 'x', sizeof(buf));
	policy_part_text(&part, buf, c->size);
	ck_assert_str_eq(buf, c->want);
	ck_assert_uint_lt(strlen(buf), c->size);
}
END_TEST

START_TEST(shell_text_is_one_line_of_utf8)
{
	char buf[8];

	policy_shell_text("a\nb\xff", buf, sizeof(buf));
	ck_assert_str_eq(buf, "a?b?");
	policy_shell_text("abcdefghij", buf, sizeof(buf));
	ck_assert_str_eq(buf, "abcd...");
	policy_shell_text("x", buf, 0);
}
END_TEST

/* Globs. */

static const struct glob_case {
	const char *glob;    /* a rule's */
	const char *pattern; /* a word's */
	bool loose, want;
} glob_cases[] = {
	{"of=/dev/*", "of=/dev/sd?", true, true},
	{"of=/dev/*", "of=/tmp/*", true, false},
	{"*.sql", "dump*", true, true},
	{"*.sql", "dump.[ct]sv", true, false},
	{"[a-c]x", "[!a]x", true, true},
	{"[a-c]x", "[!a-c]x", true, false},
	{"[0-9]", "[a-z]", true, false},
	{"[[:digit:]]", "[[:digit:]x]", true, true},
	{"[[:alnum:]]", "[[:alpha:]]", true, true},
	{"a\\*", "a\\*", true, true},
	{"a\\*", "ab", true, false},
	{"*", "anything*", false, true},
	{"x*", "x*", false, true},
	{"x*", "x*y", false, false},
	{"x*", "xa", false, true},
	{"x*", "x\\*", false, true},
	{"x?", "y\\*", false, false},
};

START_TEST(glob_meets)
{
	const struct glob_case *c = &glob_cases[_i];

	ck_assert_msg(policy_glob_meets(c->glob, c->pattern, c->loose) == c->want, "%s and %s (%s)",
		      c->glob, c->pattern, c->loose ? "loose" : "strict");
}
END_TEST

static const struct path_case {
	const char *glob;    /* a rule's */
	const char *pattern; /* a word's, absolute */
	unsigned flags;
	bool loose, want;
} path_cases[] = {
	{"/", "/*", POLICY_WORD_GLOB, true, false},
	{"/*", "/*", POLICY_WORD_GLOB, true, true},
	{"/etc", "/*", POLICY_WORD_GLOB, true, true},
	{"/etc", "/e*", POLICY_WORD_GLOB, true, true},
	{"/etc", "/u*", POLICY_WORD_GLOB, true, false},
	{"/etc/**", "/*/passwd", POLICY_WORD_GLOB, true, true},
	{"/home/*", "/home/alice/*", POLICY_WORD_GLOB, true, false},
	{"/**", "/a/*", POLICY_WORD_GLOB, false, true},
	{"/a/*", "/a/*", POLICY_WORD_GLOB, false, true},
	{"/a/*", "/a/b*", POLICY_WORD_GLOB, false, true},
	{"/a/b*", "/a/*", POLICY_WORD_GLOB, false, false},
	{"/a/b", "/a/\\*", POLICY_WORD_GLOB, false, false},
	{"/a/*", "/a/\\*", POLICY_WORD_GLOB, false, true},
	{"/", "/", POLICY_WORD_BELOW, true, true},
	{"/etc", "/", POLICY_WORD_BELOW, true, true},
	{"/", "/srv", POLICY_WORD_BELOW, true, false},
	{"/srv/*", "/srv", POLICY_WORD_BELOW, true, true},
	{"/srv/**", "/srv", POLICY_WORD_BELOW, false, true},
	{"/srv/*", "/srv", POLICY_WORD_BELOW, false, false},
	{"/srv", "/srv", POLICY_WORD_BELOW, false, false},
	{"/**", "/srv", POLICY_WORD_BELOW, false, true},
	{"/x/**/y", "/x", POLICY_WORD_BELOW, false, false},
	{"/s*/**", "/s*", POLICY_WORD_BELOW | POLICY_WORD_GLOB, false, true},
	{"/s/**", "/s*", POLICY_WORD_BELOW | POLICY_WORD_GLOB, false, false},
	{"/s*/**", "/s*", POLICY_WORD_BELOW | POLICY_WORD_GLOB, true, true},
};

START_TEST(path_meets)
{
	const struct path_case *c = &path_cases[_i];
	struct policy_path path;

	ck_assert_int_eq(policy_path_split("/", c->pattern, &path), 0);
	ck_assert_msg(policy_path_meets(c->glob, &path, c->flags, c->loose) == c->want,
		      "%s and %s (%u, %s)", c->glob, c->pattern, c->flags,
		      c->loose ? "loose" : "strict");
	free(path.buf);
}
END_TEST

START_TEST(home_path_meets)
{
	struct policy_path home, all, below, other;

	ck_assert_int_eq(policy_path_split("/", "/home/alice", &home), 0);
	ck_assert_int_eq(policy_path_split("/", "/home/*", &all), 0);
	ck_assert_int_eq(policy_path_split("/", "/home", &below), 0);
	ck_assert_int_eq(policy_path_split("/", "/home/bob/*", &other), 0);
	/* A glob of every entry of /home may be the home directory; it is not certainly
	 * in it. */
	ck_assert(policy_path_meets_home("~", &all, POLICY_WORD_GLOB, true, &home));
	ck_assert(!policy_path_meets_home("~", &all, POLICY_WORD_GLOB, false, &home));
	ck_assert(policy_path_meets_home("~/**", &below, POLICY_WORD_BELOW, true, &home));
	ck_assert(!policy_path_meets_home("~/**", &below, POLICY_WORD_BELOW, false, &home));
	ck_assert(!policy_path_meets_home("~/*", &other, POLICY_WORD_GLOB, true, &home));
	ck_assert(policy_path_meets_home("/home/*/*", &other, POLICY_WORD_GLOB, false, &home));
	free(home.buf);
	free(all.buf);
	free(below.buf);
	free(other.buf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("shell");
	TCase *lines = tcase_create("lines"), *limits = tcase_create("limits");
	TCase *argv = tcase_create("argv"), *text = tcase_create("text");
	TCase *globs = tcase_create("globs");

	tcase_add_loop_test(lines, words_line, 0, N(words_cases));
	tcase_add_loop_test(lines, structure_line, 0, N(structure_cases));
	tcase_add_loop_test(lines, redirections_line, 0, N(redirections_cases));
	tcase_add_loop_test(lines, cwd_line, 0, N(cwd_cases));
	tcase_add_loop_test(lines, variables_line, 0, N(variables_cases));
	tcase_add_loop_test(lines, wrappers_line, 0, N(wrappers_cases));
	tcase_add_loop_test(lines, stdin_line, 0, N(stdin_cases));
	tcase_add_loop_test(lines, unknown_line, 0, N(unknown_cases));
	tcase_add_test(lines, hostile_bytes_are_data);
	suite_add_tcase(s, lines);
	tcase_set_timeout(limits, 120);
	tcase_add_test(limits, line_longer_than_the_limit_is_refused);
	tcase_add_test(limits, texts_nest_eight_deep);
	tcase_add_test(limits, substitutions_nest_eight_deep);
	tcase_add_test(limits, compound_commands_nest_sixty_four_deep);
	tcase_add_test(limits, parts_stop_at_the_limit);
	tcase_add_test(limits, words_stop_at_the_limit);
	tcase_add_test(limits, expansions_stop_at_the_budget);
	tcase_add_test(limits, variables_beyond_the_limit_are_not_known);
	tcase_add_test(limits, functions_beyond_the_limit_are_not_understood);
	tcase_add_test(limits, worst_lines_take_linear_time);
	tcase_add_test(limits, nested_double_parens_are_read_in_linear_time);
	suite_add_tcase(s, limits);
	tcase_add_test(argv, argv_request_is_its_command_and_what_its_wrappers_run);
	tcase_add_test(argv, argv_words_are_data);
	tcase_add_test(argv, argv_shell_string_is_a_line);
	tcase_add_test(argv, argv_find_exec_and_ssh);
	tcase_add_test(argv, argv_too_many_words_is_not_understood);
	tcase_add_test(argv, unwrapping_programs);
	suite_add_tcase(s, argv);
	tcase_add_loop_test(text, part_text, 0, N(text_cases));
	tcase_add_test(text, shell_text_is_one_line_of_utf8);
	suite_add_tcase(s, text);
	tcase_add_loop_test(globs, glob_meets, 0, N(glob_cases));
	tcase_add_loop_test(globs, path_meets, 0, N(path_cases));
	tcase_add_test(globs, home_path_meets);
	suite_add_tcase(s, globs);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
