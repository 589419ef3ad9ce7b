// Shapes
import { Base } from "./base";
interface Shape { area(): number; }
type Point = { x: number };
enum Color { Red, Green }
class Circle extends Base implements Shape {
  area(): number { return computeArea(this.r); }
}
export function makeCircle(p: Point): Circle { return new Circle(); }
const double = (n: number) => n * 2;
