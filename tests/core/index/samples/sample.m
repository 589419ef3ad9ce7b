// shapes
#import <Foundation/Foundation.h>
@interface Circle : Base
- (double)area;
@end
@implementation Circle
- (double)area { return compute(self.r); }
@end
int helper(int x) { return x * 2; }
