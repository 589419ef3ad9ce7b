/* shapes */
#include <stdio.h>
#define SQUARE(x) ((x)*(x))
struct circle { double r; };
typedef struct circle circle_t;
static double area(circle_t *c) { return compute(c->r); }
int main(void) { printf("%f", area(0)); return 0; }
