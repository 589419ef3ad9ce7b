// shapes
import scala.math.Pi
trait Shape { def area: Double }
class Circle(r: Double) extends Base with Shape {
  def area: Double = compute(r)
}
object Circle { def unit(): Circle = new Circle(1) }
case class Point(x: Int)
