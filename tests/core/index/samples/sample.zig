// shapes
const std = @import("std");
const Circle = struct {
    r: f64,
    pub fn area(self: Circle) f64 { return compute(self.r); }
};
pub fn main() void { std.debug.print("{}", .{Circle.area(.{ .r = 1 })}); }
