(* shapes *)
open Printf
type shape = Circle of float | Square of float
let area s = match s with Circle r -> compute r | Square a -> a *. a
module Geo = struct let unit = Circle 1.0 end
let () = printf "%f" (area (Circle 1.0))
