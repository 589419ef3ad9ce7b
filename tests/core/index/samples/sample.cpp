// shapes
#include <vector>
namespace geo {
class Circle : public Base {
 public:
  double area() const { return compute(r_); }
 private:
  double r_;
};
double Circle::perimeter() { return helper(r_); }
}
int main() { geo::Circle c; return c.area(); }
