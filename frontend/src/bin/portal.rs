//! The portal's binary (`portal.html`): just starts it. The library holds
//! both apps; link-time optimisation keeps in each binary only what it
//! reaches.

fn main() {
    postern_frontend::portal::start();
}
