// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Forwarder {
    address public admin = msg.sender;

    function forward(address impl, bytes memory payload) public payable returns (bytes memory) {
        (bool ok, bytes memory res) = impl.delegatecall(payload); // VULN
        require(ok);
        return res;
    }

    function sweep() external {
        require(tx.origin == admin, "admin"); // VULN
        payable(admin).transfer(address(this).balance);
    }

    function payout(address payable to) external {
        to.transfer(address(this).balance); // VULN
    }
}
