// Shapes
import java.util.List;
interface Shape { double area(); }
class Circle extends Base implements Shape {
  private double r;
  public double area() { return compute(r); }
}
enum Color { RED }
