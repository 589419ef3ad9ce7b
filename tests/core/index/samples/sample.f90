! shapes
module geo
contains
  function area(r) result(a)
    real :: r, a
    a = compute(r)
  end function area
  subroutine report(r)
    real :: r
    call show(area(r))
  end subroutine report
end module geo
program main
  use geo
  call report(1.0)
end program main
