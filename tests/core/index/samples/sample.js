// Greeter module
import { helper } from "./util";
class Greeter extends Base {
  greet(name) { return helper(name); }
}
function makeGreeter() { return new Greeter(); }
const shout = (s) => s.toUpperCase();
module.exports = { makeGreeter };
