// shapes
using System;
namespace Geo {
  interface IShape { double Area(); }
  class Circle : Base, IShape {
    public double Area() { return Compute(R); }
    public double R { get; set; }
  }
  enum Color { Red }
}
