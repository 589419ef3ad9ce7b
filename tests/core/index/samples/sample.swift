// shapes
import Foundation
protocol Shape { func area() -> Double }
class Circle: Base, Shape {
    var r: Double = 1
    func area() -> Double { return compute(r) }
}
struct Point { let x: Int }
enum Color { case red }
func makeCircle() -> Circle { return Circle() }
