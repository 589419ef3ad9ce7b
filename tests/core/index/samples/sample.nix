# shapes
{ pkgs, lib }:
let
  helper = x: x * 2;
  area = r: compute r;
in {
  packages.default = pkgs.hello;
  value = helper (area 1);
}
