-- shapes
module Geo where
import Data.List (sort)
data Shape = Circle Double | Square Double
class HasArea a where
  area :: a -> Double
area' :: Shape -> Double
area' (Circle r) = compute r
double x = x * 2
