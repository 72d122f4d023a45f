// ./kiln shell loads this after JShell's DEFAULT startup (java.util.*, java.io.* and friends stay
// imported): it brings in the names a Kiln session uses, as the README's examples write them.
import dev.kiln.*;
import static dev.kiln.Layers.*;
import static dev.kiln.FitOption.*;
import dev.kiln.callbacks.*;
import dev.kiln.optimizers.*;
import dev.kiln.core.memory.Tensor;
