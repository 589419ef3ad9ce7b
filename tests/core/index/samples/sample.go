// Package shapes does shapes.
package shapes

import "fmt"

type Circle struct{ R float64 }
type Shape interface{ Area() float64 }

func (c Circle) Area() float64 { return compute(c.R) }
func NewCircle() *Circle { fmt.Println("x"); return &Circle{} }
