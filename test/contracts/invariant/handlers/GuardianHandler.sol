// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IndexVault} from "../../../../contracts/vault/IndexVault.sol";
import {VM} from "../../utils/Vm.sol";
import {Ghost} from "./Ghost.sol";

/// @title GuardianHandler
/// @notice Pauses as the guardian and unpauses as the admin (the guardian cannot unpause).
contract GuardianHandler {
    IndexVault public immutable vault;
    Ghost public immutable ghost;
    address public immutable guardian;
    address public immutable admin;
    uint256 public calls;

    constructor(IndexVault vault_, Ghost ghost_, address guardian_, address admin_) {
        vault = vault_;
        ghost = ghost_;
        guardian = guardian_;
        admin = admin_;
    }

    function pause() external {
        ++calls;
        VM.prank(guardian);
        vault.pause();
    }

    function unpause() external {
        ++calls;
        VM.prank(admin);
        vault.unpause();
    }
}
