<?php
// shapes
namespace Geo;
use Foo\Bar;
interface Shape { function area(); }
class Circle extends Base implements Shape {
  public function area() { return compute($this->r); }
}
function make_circle() { return new Circle(); }
