rf8_dec_a.sv
rf8_dec_b.sv
rf8_mul.sv
rf8_tree.sv
rf8_acc.sv
rf8_cvt_o0.sv
rf8_cvt_f32.sv
rf8_dot.sv
