// shapes
module Geo
open System
type Shape = Circle of float | Square of float
let area s = match s with Circle r -> compute r | Square a -> a * a
type Point(x: int) =
    member this.X = x
let double x = x * 2
