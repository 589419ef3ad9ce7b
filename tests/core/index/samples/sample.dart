// shapes
import 'dart:math';
abstract class Shape { double area(); }
class Circle extends Base implements Shape {
  double r = 1;
  double area() { return compute(r); }
}
enum Color { red }
Circle makeCircle() => Circle();
