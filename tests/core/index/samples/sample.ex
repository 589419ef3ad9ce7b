# shapes
defmodule Geo.Circle do
  alias Geo.Base
  def area(r), do: compute(r)
  defp helper(x), do: x * 2
  defmacro square(x), do: x
end
