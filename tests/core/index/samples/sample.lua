-- shapes
local M = {}
function M.area(c) return compute(c.r) end
local function helper(x) return x * 2 end
function top() return helper(1) end
return M
