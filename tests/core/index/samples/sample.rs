// Shapes
use std::fmt::Display;
struct Circle { r: f64 }
enum Color { Red }
trait Shape { fn area(&self) -> f64; }
impl Shape for Circle { fn area(&self) -> f64 { compute(self.r) } }
fn new_circle() -> Circle { Circle { r: 1.0 } }
macro_rules! square { ($x:expr) => { $x * $x }; }
