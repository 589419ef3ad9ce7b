# shapes
module Geo
using LinearAlgebra
struct Circle <: Shape
    r::Float64
end
abstract type Shape end
function area(c::Circle) compute(c.r) end
double(x) = 2x
end
