#include <stdio.h>
int main(void) { puts("radsched"); return 0; }
