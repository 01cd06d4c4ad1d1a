// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

contract Vault8 {
    mapping(address => uint256) private shares;
    uint256 public totalShares;

    function enter() external payable {
        shares[msg.sender] += msg.value;
        totalShares += msg.value;
    }

    function exit() external {
        uint256 s = shares[msg.sender];
        _pay(payable(msg.sender), s); // VULN
        _burn(msg.sender, s);
    }

    function _pay(address payable to, uint256 amount) private {
        (bool sent, ) = to.call{value: amount}("");
        require(sent, "pay");
    }

    function _burn(address who, uint256 s) private {
        shares[who] -= s;
        totalShares -= s;
    }
}
